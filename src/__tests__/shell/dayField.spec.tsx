import { fireEvent, render, screen } from '@testing-library/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  DayField,
  dayPattern,
  dayPlaceholder,
  dayProblemText,
  formatDayInput,
  parseDayInput
} from '../../shell/dayField';
import { russianBundle } from './catalogue';
import { english } from './fixtures';

afterEach(() => {
  document.documentElement.lang = '';
});

describe('the numeric day of a language', () => {
  it('takes its order and separators from Intl', () => {
    expect(dayPattern('ru')).toEqual({
      order: ['day', 'month', 'year'],
      literals: ['', '.', '.', '']
    });
    expect(dayPattern('en')).toEqual({
      order: ['month', 'day', 'year'],
      literals: ['', '/', '/', '']
    });
  });

  it('writes an ISO day so, and reads it back', () => {
    expect(formatDayInput('2026-10-01', 'ru')).toBe('01.10.2026');
    expect(formatDayInput('2026-10-01', 'en')).toBe('10/1/2026');
    expect(formatDayInput('', 'ru')).toBe('');
    for (const locale of ['ru', 'en', 'en-GB', 'de', 'ja', 'ko']) {
      for (const day of [
        '2026-01-31',
        '2026-10-01',
        '2024-02-29',
        '1999-12-24'
      ]) {
        expect(parseDayInput(formatDayInput(day, locale), locale)).toEqual({
          day,
          problem: null
        });
      }
    }
  });

  it('reads the day as people type it in each language', () => {
    expect(parseDayInput('1.10.2026', 'ru').day).toBe('2026-10-01');
    expect(parseDayInput(' 12.10.2026 ', 'ru').day).toBe('2026-10-12');
    // the other order is another day, not a guess
    expect(parseDayInput('10/12/2026', 'ru').day).toBe('2026-12-10');
    expect(parseDayInput('10/12/2026', 'en').day).toBe('2026-10-12');
    // an ISO day (pasted from a file name) reads in any language
    expect(parseDayInput('2026-10-12', 'ru').day).toBe('2026-10-12');
    expect(parseDayInput('2026-10-12', 'en').day).toBe('2026-10-12');
  });

  it('gives an empty field as no day', () => {
    expect(parseDayInput('', 'ru')).toEqual({ day: '', problem: null });
    expect(parseDayInput('   ', 'en')).toEqual({ day: '', problem: null });
  });

  it('refuses a day that does not exist', () => {
    for (const [text, locale] of [
      ['31.02.2026', 'ru'],
      ['29.02.2026', 'ru'],
      ['00.10.2026', 'ru'],
      ['01.13.2026', 'ru'],
      ['2/30/2026', 'en'],
      ['2026-02-31', 'en']
    ]) {
      expect(parseDayInput(text, locale)).toEqual({
        day: null,
        problem: 'impossible'
      });
    }
  });

  it('refuses what does not read as a day', () => {
    for (const [text, locale] of [
      ['01.10', 'ru'],
      ['01.10.26', 'ru'],
      ['1 окт. 2026', 'ru'],
      ['Oct 1, 2026', 'en'],
      ['01.10.2026.5', 'ru'],
      ['001.10.2026', 'ru'],
      ['tomorrow', 'en']
    ]) {
      expect(parseDayInput(text, locale)).toEqual({
        day: null,
        problem: 'unreadable'
      });
    }
  });

  it('shows the pattern in the letters of the UI language', () => {
    expect(dayPlaceholder(russianBundle(), 'ru')).toBe('ДД.ММ.ГГГГ');
    expect(dayPlaceholder(english, 'en')).toBe('MM/DD/YYYY');
    expect(dayProblemText('unreadable', russianBundle(), 'ru')).toBe(
      'Введите день в виде ДД.ММ.ГГГГ, например 24.12.2026.'
    );
    expect(dayProblemText('unreadable', english, 'en')).toBe(
      'Write the day as MM/DD/YYYY, for example 12/24/2026.'
    );
  });
});

/** A DayField holding its day as a model would, with every day it was given. */
function Field(props: {
  initial: string;
  trans?: TranslationBundle;
  given: string[];
  invalid?: boolean;
}): JSX.Element {
  const [value, setValue] = React.useState(props.initial);
  return (
    <>
      <label htmlFor="from">From</label>
      <DayField
        id="from"
        value={value}
        invalid={props.invalid}
        describedBy="range-hint"
        onChange={day => {
          props.given.push(day);
          setValue(day);
        }}
        trans={props.trans ?? english}
      />
      <button type="button" onClick={() => setValue('')}>
        Clear
      </button>
    </>
  );
}

describe('DayField', () => {
  it('shows the day in Russian and gives the model ISO days', () => {
    document.documentElement.lang = 'ru';
    const given: string[] = [];
    render(
      <Field initial="2026-10-01" trans={russianBundle()} given={given} />
    );
    const input = screen.getByLabelText('From') as HTMLInputElement;
    expect(input.value).toBe('01.10.2026');
    expect(input.placeholder).toBe('ДД.ММ.ГГГГ');
    expect(input.getAttribute('aria-describedby')).toBe('range-hint');

    fireEvent.change(input, { target: { value: '12.10.2026' } });
    expect(given).toEqual(['2026-10-12']);
    expect(input.value).toBe('12.10.2026');

    fireEvent.change(input, { target: { value: '' } });
    expect(given).toEqual(['2026-10-12', '']);
  });

  it('shows the day in English', () => {
    document.documentElement.lang = 'en';
    render(<Field initial="2026-10-01" given={[]} />);
    const input = screen.getByLabelText('From') as HTMLInputElement;
    expect(input.value).toBe('10/1/2026');
    expect(input.placeholder).toBe('MM/DD/YYYY');
  });

  it('marks an impossible day at the field and keeps the model’s day', () => {
    document.documentElement.lang = 'ru';
    const given: string[] = [];
    render(
      <Field initial="2026-10-01" trans={russianBundle()} given={given} />
    );
    const input = screen.getByLabelText('From') as HTMLInputElement;

    fireEvent.change(input, { target: { value: '31.02.2026' } });
    // nothing is said while it is typed, nothing reaches the model
    expect(input.getAttribute('aria-invalid')).toBeNull();
    fireEvent.blur(input);

    expect(given).toEqual([]);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const message = screen.getByText('Такого дня нет.');
    expect(message.className).toBe('jp-mlplat-field-error');
    expect(input.getAttribute('aria-describedby')).toBe(
      `${message.id} range-hint`
    );

    // Enter does not send the form with the day before
    const enter = fireEvent.keyDown(input, { key: 'Enter' });
    expect(enter).toBe(false);

    // once it reads, the message goes and the model has the day
    fireEvent.change(input, { target: { value: '28.02.2026' } });
    expect(screen.queryByText('Такого дня нет.')).toBeNull();
    expect(input.getAttribute('aria-invalid')).toBeNull();
    expect(given).toEqual(['2026-02-28']);
  });

  it('says how to write a day it cannot read', () => {
    document.documentElement.lang = 'en';
    render(<Field initial="" given={[]} />);
    const input = screen.getByLabelText('From');
    fireEvent.change(input, { target: { value: '10/2026' } });
    fireEvent.blur(input);
    expect(
      screen.getByText('Write the day as MM/DD/YYYY, for example 12/24/2026.')
    ).toBeTruthy();
  });

  it('is marked when the form finds the day wrong', () => {
    render(<Field initial="2026-10-01" given={[]} invalid />);
    expect(screen.getByLabelText('From').getAttribute('aria-invalid')).toBe(
      'true'
    );
  });

  it('takes a day set from elsewhere over what was typed', () => {
    document.documentElement.lang = 'ru';
    render(<Field initial="2026-10-01" trans={russianBundle()} given={[]} />);
    const input = screen.getByLabelText('From') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '31.02' } });
    fireEvent.blur(input);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(input.value).toBe('');
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });

  it('has no calendar button where the browser cannot open its picker', () => {
    render(<Field initial="" given={[]} />);
    expect(
      screen.queryByRole('button', { name: 'Choose the day in a calendar' })
    ).toBeNull();
  });

  describe('with the browser’s picker', () => {
    const shown: HTMLInputElement[] = [];
    beforeAll(() => {
      Object.defineProperty(HTMLInputElement.prototype, 'showPicker', {
        configurable: true,
        value: function (this: HTMLInputElement) {
          shown.push(this);
        }
      });
    });
    afterAll(() => {
      delete (HTMLInputElement.prototype as { showPicker?: unknown })
        .showPicker;
    });

    it('opens it from a labelled button and writes the day picked', () => {
      document.documentElement.lang = 'ru';
      const given: string[] = [];
      const { container } = render(
        <Field initial="2026-10-01" trans={russianBundle()} given={given} />
      );
      const button = screen.getByRole('button', {
        name: 'Выбрать день в календаре'
      });
      fireEvent.click(button);
      const picker = container.querySelector(
        'input[type="date"]'
      ) as HTMLInputElement;
      expect(shown).toEqual([picker]);
      expect(picker.value).toBe('2026-10-01');
      expect(picker.getAttribute('aria-hidden')).toBe('true');

      fireEvent.change(picker, { target: { value: '2026-10-14' } });
      expect(given).toEqual(['2026-10-14']);
      expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe(
        '14.10.2026'
      );
    });
  });
});
