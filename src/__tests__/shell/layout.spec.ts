import * as fs from 'fs';
import * as path from 'path';

/*
 * The sidebar is sliced by feature over a small shared kernel: the shell
 * knows no tab, and a feature uses only the shell, the api and the tokens,
 * never another feature's internals.
 */

const SRC = path.resolve(__dirname, '..', '..');
const KERNEL = ['shell', 'api', 'tokens', 'svg.d', 'index'];

/** The top folders of src/ that are features (everything but the kernel). */
function features(): string[] {
  return fs
    .readdirSync(SRC, { withFileTypes: true })
    .filter(
      entry =>
        entry.isDirectory() &&
        entry.name !== '__tests__' &&
        !KERNEL.includes(entry.name)
    )
    .map(entry => entry.name);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === '__tests__' ? [] : sources(full);
    }
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The first folder under src/ each relative import of a file points at. */
function importedRoots(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']*)'/g)].map(
    match => match[1]
  );
  return specs.map(spec => {
    const target = path.relative(SRC, path.resolve(path.dirname(file), spec));
    return target.split(path.sep)[0];
  });
}

describe('layout', () => {
  it('has the expected feature folders', () => {
    expect(features()).toEqual(
      expect.arrayContaining(['admin', 'experiments', 'git'])
    );
  });

  it('keeps the shell and the api free of every feature', () => {
    const featureNames = features();
    const offending = [
      ...sources(path.join(SRC, 'shell')),
      ...sources(path.join(SRC, 'api')),
      path.join(SRC, 'tokens.ts')
    ].flatMap(file =>
      importedRoots(file)
        .filter(root => featureNames.includes(root))
        .map(root => `${path.relative(SRC, file)} -> ${root}`)
    );
    expect(offending).toEqual([]);
  });

  it('keeps each feature out of the other features', () => {
    const featureNames = features();
    const offending = featureNames.flatMap(feature =>
      sources(path.join(SRC, feature)).flatMap(file =>
        importedRoots(file)
          .filter(root => root !== feature && featureNames.includes(root))
          .map(root => `${path.relative(SRC, file)} -> ${root}`)
      )
    );
    expect(offending).toEqual([]);
  });

  it('lets only the entry point import the feature plugins', () => {
    const index = importedRoots(path.join(SRC, 'index.ts'));
    expect(index).toEqual(expect.arrayContaining(features()));
  });
});
