// SVG files are bundled as their source text (see @jupyterlab/builder).
declare module '*.svg' {
  const value: string;
  export default value;
}
