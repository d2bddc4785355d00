import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { calendarIcon } from './icons';
import { uiLocale } from './labels';

/*
 * A day typed and shown in JupyterLab's UI language. The browser's own
 * `<input type="date">` is drawn in the browser's locale, not the lab's: a
 * Russian UI in an English Chromium showed MM/DD/YYYY and "mm/dd/yyyy", and
 * no attribute changes that. So the day is a text input in the numeric form
 * Intl gives for the UI language, and the browser's picker is only the
 * calendar behind a button. To the model the value stays an ISO day.
 */

/** A field of a numeric date, in the order the locale writes it. */
export type DayPart = 'day' | 'month' | 'year';

export interface IDayPattern {
  /** The order of the fields. */
  order: DayPart[];
  /** The text before, between and after the fields: `order.length + 1` of them. */
  literals: string[];
}

/** What a typed day reads as: an ISO day ('' when empty), or why it does not. */
export type DayReading =
  | { day: string; problem: null }
  | { day: null; problem: 'unreadable' | 'impossible' };

const ISO_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * The locale's numeric date, in UTC (an ISO day is a calendar day, not an
 * instant) and Latin digits (so what it writes, it reads back).
 */
function numericDays(locale: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    timeZone: 'UTC',
    numberingSystem: 'latn'
  });
}

/** The order and separators of a numeric date in `locale`, as Intl says. */
export function dayPattern(locale: string = uiLocale()): IDayPattern {
  const order: DayPart[] = [];
  const literals = [''];
  for (const part of numericDays(locale).formatToParts(
    new Date(Date.UTC(2026, 11, 24))
  )) {
    if (part.type === 'day' || part.type === 'month' || part.type === 'year') {
      order.push(part.type);
      literals.push('');
    } else {
      literals[literals.length - 1] += part.value;
    }
  }
  return { order, literals };
}

/** An ISO day in the locale's numeric form; '' for ''; as given when not a day. */
export function formatDayInput(
  day: string,
  locale: string = uiLocale()
): string {
  const match = ISO_DAY.exec(day);
  if (!match) {
    return day;
  }
  const at = new Date(0);
  at.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return numericDays(locale).format(at);
}

function isoDay(year: number, month: number, day: number): DayReading {
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  if (
    at.getUTCFullYear() !== year ||
    at.getUTCMonth() !== month - 1 ||
    at.getUTCDate() !== day
  ) {
    return { day: null, problem: 'impossible' };
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return { day: `${year}-${pad(month)}-${pad(day)}`, problem: null };
}

/**
 * A day typed in the locale's numeric form (any separators between its
 * three numbers, a four-digit year) or as an ISO day (as pasted from a CSV
 * name or a link), read as an ISO day.
 */
export function parseDayInput(
  text: string,
  locale: string = uiLocale()
): DayReading {
  const typed = text.trim();
  if (typed === '') {
    return { day: '', problem: null };
  }
  const iso = ISO_DAY.exec(typed);
  if (iso) {
    return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  }
  const numbers = typed.match(/\d+/g) ?? [];
  const { order } = dayPattern(locale);
  if (/\p{L}/u.test(typed) || numbers.length !== order.length) {
    return { day: null, problem: 'unreadable' };
  }
  const field = (part: DayPart) => numbers[order.indexOf(part)];
  if (
    !/^\d{4}$/.test(field('year')) ||
    field('month').length > 2 ||
    field('day').length > 2
  ) {
    return { day: null, problem: 'unreadable' };
  }
  return isoDay(
    Number(field('year')),
    Number(field('month')),
    Number(field('day'))
  );
}

/** The locale's pattern in the UI language's letters: ДД.ММ.ГГГГ, MM/DD/YYYY. */
export function dayPlaceholder(
  trans: TranslationBundle,
  locale: string = uiLocale()
): string {
  const { order, literals } = dayPattern(locale);
  const letters = (part: DayPart) => {
    switch (part) {
      case 'day':
        // the letters of a day's field in a date pattern (DD.MM.YYYY)
        return trans.__('DD');
      case 'month':
        return trans.__('MM');
      case 'year':
        return trans.__('YYYY');
    }
  };
  return order.reduce(
    (text, part, i) => text + letters(part) + literals[i + 1],
    literals[0]
  );
}

/** The message for a day that does not read. */
export function dayProblemText(
  problem: 'unreadable' | 'impossible',
  trans: TranslationBundle,
  locale: string = uiLocale()
): string {
  return problem === 'impossible'
    ? trans.__('There is no such day.')
    : trans.__(
        'Write the day as %1, for example %2.',
        dayPlaceholder(trans, locale),
        formatDayInput('2026-12-24', locale)
      );
}

/** Whether this browser can open its own calendar from a script. */
function canShowPicker(): boolean {
  return (
    typeof HTMLInputElement !== 'undefined' &&
    'showPicker' in HTMLInputElement.prototype
  );
}

/**
 * The day fields of a form whose text reads as no day, for its model: the
 * model keeps each field's last good day meanwhile, so what would use it
 * unseen (an export, a filter) waits.
 */
export class UnreadableDays<K extends string> {
  /** Note a field's reading (`onReadableChange`); true while any is no day. */
  note(name: K, readable: boolean): boolean {
    if (readable) {
      this._names.delete(name);
    } else {
      this._names.add(name);
    }
    return this._names.size > 0;
  }

  private _names = new Set<K>();
}

export interface IDayFieldProps {
  /** The input's id: the form's label points at it. */
  id: string;
  /** An ISO day (`YYYY-MM-DD`) or ''. */
  value: string;
  /** Called with an ISO day or '' once what is typed reads as one. */
  onChange: (day: string) => void;
  trans: TranslationBundle;
  /** The form finds the day wrong (a range the wrong way round). */
  invalid?: boolean;
  /** The ids of the form's hint or problem the input is described by. */
  describedBy?: string;
  /** The UI language's locale unless said otherwise. */
  locale?: string;
  /**
   * Told whether what is typed reads as a day: while it does not, the model
   * still holds the last good day, and a form disables what would use it
   * unseen (an export).
   */
  onReadableChange?: (readable: boolean) => void;
}

/**
 * A day in the UI language's numeric form with a calendar button. What does
 * not read as a day is said under the input once the person leaves it (or
 * presses Enter) and never reaches the model, which keeps the last good day.
 */
export function DayField(props: IDayFieldProps): JSX.Element {
  const { id, value, onChange, trans } = props;
  const locale = props.locale ?? uiLocale();
  const [text, setText] = React.useState(() => formatDayInput(value, locale));
  // a problem is said once the person has left the field, then as they fix it
  const [told, setTold] = React.useState(false);
  const picker = React.useRef<HTMLInputElement>(null);

  // a day set from elsewhere (the default range, "Clear filters") replaces
  // what is typed, unless that already reads as it
  React.useEffect(() => {
    setText(current =>
      parseDayInput(current, locale).day === value
        ? current
        : formatDayInput(value, locale)
    );
    setTold(false);
  }, [value, locale]);

  const reading = parseDayInput(text, locale);
  const readable = reading.problem === null;
  const tell = React.useRef(props.onReadableChange);
  tell.current = props.onReadableChange;
  React.useEffect(() => tell.current?.(readable), [readable]);
  const problem =
    told && reading.problem
      ? dayProblemText(reading.problem, trans, locale)
      : null;
  const errorId = `${id}-day-error`;

  const take = (next: string) => {
    setText(next);
    const read = parseDayInput(next, locale);
    if (read.problem === null && read.day !== value) {
      onChange(read.day);
    }
  };

  const described = [problem ? errorId : '', props.describedBy ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <>
      <div className="jp-mlplat-day-row">
        <input
          id={id}
          type="text"
          className="jp-mod-styled"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          value={text}
          placeholder={dayPlaceholder(trans, locale)}
          aria-invalid={problem !== null || props.invalid ? true : undefined}
          aria-describedby={described || undefined}
          onChange={event => take(event.currentTarget.value)}
          onBlur={() => setTold(true)}
          onKeyDown={event => {
            if (event.key === 'Enter' && reading.problem) {
              // the form would be sent with the last good day, not this one
              event.preventDefault();
              setTold(true);
            }
          }}
        />
        {canShowPicker() && (
          <>
            <input
              ref={picker}
              type="date"
              className="jp-mlplat-day-picker"
              tabIndex={-1}
              aria-hidden="true"
              value={ISO_DAY.test(value) ? value : ''}
              onChange={event => {
                const day = event.currentTarget.value;
                setText(formatDayInput(day, locale));
                setTold(false);
                if (day !== value) {
                  onChange(day);
                }
              }}
            />
            <Button
              small
              minimal
              type="button"
              className="jp-mlplat-day-button"
              aria-label={trans.__('Choose the day in a calendar')}
              title={trans.__('Choose the day in a calendar')}
              onClick={() => {
                try {
                  picker.current?.showPicker();
                } catch {
                  // no picker now (e.g. the page lost focus): typing still works
                  document.getElementById(id)?.focus();
                }
              }}
            >
              <calendarIcon.react tag="span" />
            </Button>
          </>
        )}
      </div>
      {problem && (
        <p id={errorId} className="jp-mlplat-field-error">
          {problem}
        </p>
      )}
    </>
  );
}
