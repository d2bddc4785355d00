import { TranslationBundle } from '@jupyterlab/translation';

import { PlatformMode } from './types';

/*
 * Each label is a literal `trans.__()` call so gettext extraction (and the
 * catalogue test) can see it; a lookup table of English keys would hide them.
 */

/** Display name of a platform role; unknown roles are shown as sent. */
export function roleLabel(role: string, trans: TranslationBundle): string {
  switch (role) {
    case 'data_scientist':
      return trans.__('Data scientist');
    case 'reviewer':
      return trans.__('Reviewer');
    case 'admin':
      return trans.__('Administrator');
    case 'instructor':
      return trans.__('Instructor');
    default:
      return role;
  }
}

/** Display name of a health check; unknown checks are shown as sent. */
export function checkLabel(name: string, trans: TranslationBundle): string {
  switch (name) {
    case 'database':
      return trans.__('Database');
    case 'object_store':
      return trans.__('Object store');
    case 'mlflow':
      return trans.__('MLflow');
    case 'gitlab':
      return trans.__('GitLab');
    case 'kubernetes':
      return trans.__('Kubernetes');
    default:
      return name;
  }
}

export function modeLabel(
  mode: PlatformMode,
  trans: TranslationBundle
): string {
  switch (mode) {
    case 'hub':
      return trans.__('JupyterHub');
    case 'standalone':
      return trans.__('Standalone');
    default:
      return mode;
  }
}

/**
 * The locale dates are written in: JupyterLab's UI language, which its
 * translation plugin puts on `<html lang>` (as JupyterLab's own `Time`
 * helpers read it), not the browser's, so a Russian UI in an English
 * browser shows Russian dates. Falls back to English, like JupyterLab.
 */
export function uiLocale(): string {
  const lang =
    typeof document === 'undefined' ? '' : document.documentElement.lang;
  if (lang) {
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([lang]).length
        ? lang
        : 'en';
    } catch {
      return 'en';
    }
  }
  return 'en';
}

/** An ISO time in the UI language's format; as sent when it does not parse. */
export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isFinite(time)
    ? new Intl.DateTimeFormat(uiLocale(), {
        dateStyle: 'short',
        timeStyle: 'short'
      }).format(new Date(time))
    : iso;
}

/** Only http(s) links from the server become hrefs; anything else is text. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) {
    return null;
  }
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:'
      ? parsed.href
      : null;
  } catch {
    return null;
  }
}

/** A deployment's phase (the Deployments tab and the Admin tab's list of them). */
export function phaseLabel(phase: string, trans: TranslationBundle): string {
  switch (phase) {
    case 'pending':
      return trans.__('pending');
    case 'ready':
      return trans.__('ready');
    case 'failed':
      return trans.__('failed');
    case 'stopped':
      return trans.__('stopped');
    default:
      return phase;
  }
}

/** A deployment's stage. */
export function stageLabel(stage: string, trans: TranslationBundle): string {
  switch (stage) {
    case 'staging':
      return trans.__('staging');
    case 'production':
      return trans.__('production');
    default:
      return stage;
  }
}

/** What a served version of a deployment does with the live traffic. */
export function trafficLabel(
  traffic: string,
  trans: TranslationBundle
): string {
  switch (traffic) {
    case 'primary':
      return trans.__('primary');
    case 'canary':
      return trans.__('canary');
    case 'shadow':
      return trans.__('shadow');
    default:
      return traffic;
  }
}

/**
 * A task as the model card names it (detected from the MLflow flavour), in
 * the user's language: the catalog and the review page say it alike.
 */
export function taskLabel(task: string, trans: TranslationBundle): string {
  switch (task) {
    case 'classification':
      return trans.__('Classification');
    case 'regression':
      return trans.__('Regression');
    case 'clustering':
      return trans.__('Clustering');
    case 'forecasting':
      return trans.__('Forecasting');
    case 'text-generation':
      return trans.__('Text generation');
    case 'other':
      return trans.__('Other');
    default:
      return task;
  }
}
