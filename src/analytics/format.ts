import { TranslationBundle } from '@jupyterlab/translation';

import { uiLocale } from '../shell/labels';
import { Grain } from './types';

/*
 * Numbers and days in the UI language's format (`uiLocale`: JupyterLab's
 * language, not the browser's), so a Russian page reads "1 234,5" and
 * "3 дек. 2026 г.". Days are UTC days, as the platform keeps them.
 */

/** What a missing figure shows (an efficiency with nothing requested). */
export const NONE = '—';

/** A count: 1,234. */
export function formatCount(value: number, locale = uiLocale()): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(
    value
  );
}

/**
 * Hours, to a tenth (12.5, 3.0), and under an hour to two significant
 * digits: a minute sampled is 0.017 hours, never a misleading 0.0.
 */
export function formatHours(value: number | null, locale = uiLocale()): string {
  if (value === null || !Number.isFinite(value)) {
    return NONE;
  }
  const size = Math.abs(value);
  const options: Intl.NumberFormatOptions =
    size > 0 && size < 1
      ? { maximumSignificantDigits: 2 }
      : {
          minimumFractionDigits: size !== 0 && size < 10 ? 1 : 0,
          maximumFractionDigits: 1
        };
  return new Intl.NumberFormat(locale, options).format(value);
}

/** A share (0.42) as a whole percentage: 42%. */
export function formatShare(value: number | null, locale = uiLocale()): string {
  return value === null || !Number.isFinite(value)
    ? NONE
    : new Intl.NumberFormat(locale, {
        style: 'percent',
        maximumFractionDigits: value !== 0 && Math.abs(value) < 0.01 ? 1 : 0
      }).format(value);
}

/** A day, in the milliseconds `dayTime` counts in. */
export const DAY_MS = 86_400_000;

/** The instant a `YYYY-MM-DD` day starts in UTC, in ms (the charts' x). */
export function dayTime(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** A day: 3 Dec 2026. */
export function formatDay(day: string, locale = uiLocale()): string {
  const at = dayTime(day);
  return Number.isFinite(at)
    ? new Intl.DateTimeFormat(locale, {
        dateStyle: 'medium',
        timeZone: 'UTC'
      }).format(new Date(at))
    : day;
}

/** A day as a chart's tick: 3 Dec. */
export function formatShortDay(at: number, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC'
  }).format(new Date(at));
}

/**
 * A period of the team figures by its first day: the day, "week of" its
 * Monday, or the month and year.
 */
export function formatPeriod(
  period: string,
  grain: Grain | string,
  trans: TranslationBundle,
  locale = uiLocale()
): string {
  const at = dayTime(period);
  if (!Number.isFinite(at)) {
    return period;
  }
  switch (grain as Grain) {
    case 'day':
      return formatDay(period, locale);
    case 'week':
      return trans.__('week of %1', formatDay(period, locale));
    case 'month':
      return new Intl.DateTimeFormat(locale, {
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC'
      }).format(new Date(at));
    default:
      return formatDay(period, locale);
  }
}

/** Every day of a range, both ends included, `YYYY-MM-DD`. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  const end = dayTime(to);
  for (let at = dayTime(from); at <= end; at += DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
    if (days.length > 400) {
      break; // a year at most is asked; never loop on a bad answer
    }
  }
  return days;
}
