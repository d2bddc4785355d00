import {
  fromFirstMark,
  markdownText,
  markWords,
  searchedWords
} from '../../catalog/summary';

describe('markdownText', () => {
  it('keeps the words of headings, emphasis, links, code and lists', () => {
    expect(
      markdownText(
        '## Intended use\n\nPredicts **churn** of _subscribers_ ' +
          'from [billing](https://example.org) and `calls`.\n\n' +
          '1. Monthly\n2. By district\n\n> Not for **companies**.'
      )
    ).toBe(
      'Intended use: Predicts churn of subscribers from billing and calls. ' +
        'Monthly; By district Not for companies.'
    );
  });

  it('drops raw HTML with what a script or a frame holds, and images', () => {
    expect(
      markdownText(
        'Bold <b>words</b> stay.\n\n' +
          "<script>window.pwned = 'script'</script>\n\n" +
          'Inline <script>window.pwned = 1</script>ends.\n\n' +
          '<img src="x" onerror="window.pwned = 1">\n\n' +
          '![a chart](chart.png) and <a href="#" onclick="x()">handler</a>'
      )
    ).toBe('Bold words stay. Inline ends. and handler');
  });

  it('reads a table’s cells and an escaped character as written', () => {
    expect(
      markdownText('| metric | value |\n|---|---|\n| f1 | 0.9 |\n\n2 \\* 3')
    ).toBe('metric, value, f1, 0.9 2 * 3');
  });

  it('is empty for an empty card', () => {
    expect(markdownText('')).toBe('');
    expect(markdownText('\n\n---\n')).toBe('');
  });
});

describe('markWords', () => {
  it('marks the words that begin with a searched word, in any case and script', () => {
    expect(
      markWords(
        'Прогнозирует отток абонентов; Churn of subscribers',
        'абонент CHURN'
      )
    ).toEqual([
      { text: 'Прогнозирует отток ', marked: false },
      { text: 'абонентов', marked: true },
      { text: '; ', marked: false },
      { text: 'Churn', marked: true },
      { text: ' of subscribers', marked: false }
    ]);
  });

  it('skips excluded words and OR, and reads quoted phrases word by word', () => {
    expect(searchedWords('"road photos" -night OR bus')).toEqual([
      'road',
      'photos',
      'bus'
    ]);
    expect(markWords('night bus', '-night')).toEqual([
      { text: 'night bus', marked: false }
    ]);
  });

  it('marks a word written with "ё" searched without its dots, and back', () => {
    expect(markWords('Абонент уйдёт, счет вырастет', 'уйдет счёт')).toEqual([
      { text: 'Абонент ', marked: false },
      { text: 'уйдёт', marked: true },
      { text: ', ', marked: false },
      { text: 'счет', marked: true },
      { text: ' вырастет', marked: false }
    ]);
  });
});

describe('markWords with the forms the search found', () => {
  it('marks a word the search found in another form, by its stem', () => {
    // the answer to "абоненты" says it found words beginning "абоненты" or "абонент"
    expect(
      markWords('Отток абонентов сети', 'абоненты', ['абоненты', 'абонент'])
    ).toEqual([
      { text: 'Отток ', marked: false },
      { text: 'абонентов', marked: true },
      { text: ' сети', marked: false }
    ]);
    expect(markWords('Отток абонентов сети', 'абоненты')).toEqual([
      { text: 'Отток абонентов сети', marked: false }
    ]);
  });
});

describe('fromFirstMark', () => {
  const card =
    'Прогнозирует отток абонентов городской телефонной сети по истории их ' +
    'платежей и обращений в службу поддержки. Учёт помесячный.';

  it('starts a little before a found word that a hit would not show', () => {
    expect(fromFirstMark(markWords(card, 'учет'))).toEqual([
      { text: '…в службу поддержки. ', marked: false },
      { text: 'Учёт', marked: true },
      { text: ' помесячный.', marked: false }
    ]);
  });

  it('keeps a summary whose first found word is shown, or that has none', () => {
    const early = markWords(card, 'абонент');
    expect(fromFirstMark(early)).toBe(early);
    const none = markWords(card, '');
    expect(fromFirstMark(none)).toBe(none);
  });

  it('does not cut a character in two where no space is near', () => {
    // 70 signs of two UTF-16 halves each, then the word: the cut would land on a half
    const signs = '\u{1F6A6}'.repeat(70);
    const [lead] = fromFirstMark(markWords(`${signs}-traffic`, 'traffic'));
    expect(lead.text.startsWith('…\u{1F6A6}')).toBe(true);
    expect(lead.text).not.toMatch(/^…[\udc00-\udfff]/);
  });
});
