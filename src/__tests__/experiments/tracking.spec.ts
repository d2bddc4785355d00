import {
  defaultExperimentName,
  isTrackingCell,
  pythonStringLiteral,
  trackingCellIndex,
  trackingCellSource
} from '../../experiments/tracking';

describe('defaultExperimentName', () => {
  it('is <user>/<folder of the notebook>', () => {
    expect(defaultExperimentName('alice', 'projects/churn/train.ipynb')).toBe(
      'alice/churn'
    );
    expect(defaultExperimentName('bob', 'churn/eda.ipynb')).toBe('bob/churn');
  });

  it('uses the notebook name without .ipynb at the server root', () => {
    expect(defaultExperimentName('alice', 'Untitled.ipynb')).toBe(
      'alice/Untitled'
    );
    expect(defaultExperimentName('alice', 'sales forecast.ipynb')).toBe(
      'alice/sales forecast'
    );
  });

  it('ignores a drive prefix of the path', () => {
    expect(defaultExperimentName('alice', 'RTC:projects/churn/a.ipynb')).toBe(
      'alice/churn'
    );
    expect(defaultExperimentName('alice', 'RTC:a.ipynb')).toBe('alice/a');
  });
});

describe('pythonStringLiteral', () => {
  it('double-quotes plain text', () => {
    expect(pythonStringLiteral('alice/churn')).toBe('"alice/churn"');
    expect(pythonStringLiteral('')).toBe('""');
  });

  it('escapes quotes and backslashes so the name cannot end the string', () => {
    expect(pythonStringLiteral('a"b')).toBe('"a\\"b"');
    expect(pythonStringLiteral('a\\b')).toBe('"a\\\\b"');
    expect(pythonStringLiteral('ends with \\')).toBe('"ends with \\\\"');
    expect(pythonStringLiteral('x"); import os; os.system("rm')).toBe(
      '"x\\"); import os; os.system(\\"rm"'
    );
    // Single quotes need no escape inside double quotes
    expect(pythonStringLiteral("it's")).toBe('"it\'s"');
  });

  it('escapes line breaks and control characters, keeps other Unicode', () => {
    expect(pythonStringLiteral('a\nb\r\tc')).toBe('"a\\nb\\r\\tc"');
    expect(pythonStringLiteral('\u0000\u001b\u007f')).toBe('"\\x00\\x1b\\x7f"');
    expect(pythonStringLiteral('отток/модель 🚀')).toBe('"отток/модель 🚀"');
    expect(pythonStringLiteral('a\u2028b')).toBe('"a\\u2028b"');
  });
});

describe('trackingCellSource', () => {
  it('imports mlflow, sets the experiment and turns on autologging', () => {
    expect(trackingCellSource('alice/churn')).toBe(
      [
        'import mlflow',
        '',
        'mlflow.set_experiment("alice/churn")  ' +
          '# named after this notebook’s folder; edit freely',
        'mlflow.autolog()'
      ].join('\n')
    );
  });

  it('writes the comment it is given, in the UI language, on one line', () => {
    const source = trackingCellSource(
      'alice/churn',
      'названо по папке блокнота;\nimport os'
    );
    expect(source.split('\n')).toEqual([
      'import mlflow',
      '',
      'mlflow.set_experiment("alice/churn")  ' +
        '# названо по папке блокнота; import os',
      'mlflow.autolog()'
    ]);
    expect(isTrackingCell(source)).toBe(true);
  });

  it('quotes the name as a Python literal', () => {
    const source = trackingCellSource('al"ice\\x\nimport os');
    expect(source).toContain(
      'mlflow.set_experiment("al\\"ice\\\\x\\nimport os")'
    );
    // Still exactly four lines: the name cannot add code of its own
    expect(source.split('\n')).toHaveLength(4);
  });
});

describe('trackingCellIndex', () => {
  it('goes after the leading Markdown, before the first code', () => {
    expect(trackingCellIndex(['markdown', 'markdown', 'code'])).toBe(2);
    expect(trackingCellIndex(['code', 'markdown'])).toBe(0);
    expect(trackingCellIndex([])).toBe(0);
    expect(trackingCellIndex(['markdown'])).toBe(1);
  });
});

describe('isTrackingCell', () => {
  it('recognises the cells it writes, whatever the name', () => {
    expect(isTrackingCell(trackingCellSource('alice/churn'))).toBe(true);
    expect(isTrackingCell(trackingCellSource('a"b\\c\nd'))).toBe(true);
  });

  it('leaves cells the user changed alone', () => {
    expect(
      isTrackingCell(trackingCellSource('alice/churn') + '\nprint(1)')
    ).toBe(false);
    expect(isTrackingCell('import mlflow\nmlflow.autolog()')).toBe(false);
  });
});
