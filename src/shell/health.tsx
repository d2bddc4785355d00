import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IHealth } from '../tokens';
import { checkLabel, modeLabel } from './labels';

export interface IHealthLineProps {
  health: IHealth;
  trans: TranslationBundle;
}

/**
 * One line of platform health, expanded into the failing checks only when
 * something fails: a healthy platform should take no room in the sidebar.
 */
export function HealthLine(props: IHealthLineProps): JSX.Element {
  const { health, trans } = props;
  const failing = Object.entries(health.checks ?? {}).filter(
    ([, check]) => check.status !== 'ok'
  );
  const healthy = health.status === 'ok' && failing.length === 0;
  return (
    <section
      className={`jp-mlplat-health ${
        healthy ? 'jp-mlplat-health-ok' : 'jp-mlplat-health-degraded'
      }`}
      aria-label={trans.__('Platform health')}
    >
      <div className="jp-mlplat-health-line">
        <span className="jp-mlplat-health-dot" aria-hidden="true" />
        <span className="jp-mlplat-health-status">
          {healthy
            ? trans.__('Platform: healthy')
            : trans.__('Platform: degraded')}
        </span>
      </div>
      <div className="jp-mlplat-health-meta">
        {trans.__('version %1', health.version)}
        {' · '}
        {modeLabel(health.mode, trans)}
      </div>
      {failing.length > 0 && (
        <ul className="jp-mlplat-health-checks">
          {failing.map(([name, check]) => (
            <li key={name}>
              {trans.__('%1: failing', checkLabel(name, trans))}
              {check.message ? ` — ${check.message}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
