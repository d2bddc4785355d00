/** The translation domain; matches locale/<lang>/LC_MESSAGES/<domain>.json. */
export const TRANSLATION_DOMAIN = 'jupyterlab_mlplat';
