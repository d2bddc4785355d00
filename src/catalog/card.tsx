import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatMetric } from './labels';
import { SanitizedMarkdown } from '../shell/markdown';
import { IModelCard } from './types';

type Section = Exclude<
  keyof IModelCard,
  | 'catalog_name'
  | 'metrics'
  | 'owners'
  | 'contact'
  | 'license'
  | 'task'
  | 'framework'
  | 'tags'
  | 'language'
>;

/** The card's Markdown sections in the order Hugging Face's cards use. */
const SECTIONS: Section[] = [
  'description',
  'out_of_scope',
  'limitations',
  'risks',
  'training_data',
  'evaluation_data'
];

function sectionTitle(section: Section, trans: TranslationBundle): string {
  switch (section) {
    case 'description':
      return trans.__('Overview and intended use');
    case 'out_of_scope':
      return trans.__('Out-of-scope use');
    case 'limitations':
      return trans.__('Limitations and known failure modes');
    case 'risks':
      return trans.__('Risks and ethical considerations');
    case 'training_data':
      return trans.__('Training data');
    case 'evaluation_data':
      return trans.__('Evaluation data');
  }
}

/**
 * A published model card: each section its author's Markdown, drawn only
 * through JupyterLab's sanitizer (as text when JupyterLab has no renderers);
 * the short fields and metrics as text.
 */
export function ModelCardView(props: {
  card: IModelCard;
  rendermime: IRenderMimeRegistry | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { card, rendermime, trans } = props;
  const sections = SECTIONS.filter(section => card[section].trim());
  return (
    <div className="jp-mlplat-card" lang={card.language || undefined}>
      {sections.length === 0 && (
        <p className="jp-mlplat-empty">{trans.__('The card is empty.')}</p>
      )}
      {sections.map(section => (
        <section key={section} className="jp-mlplat-card-section">
          <h5>{sectionTitle(section, trans)}</h5>
          {rendermime ? (
            <SanitizedMarkdown
              className="jp-mlplat-card-text"
              source={card[section]}
              rendermime={rendermime}
            />
          ) : (
            <pre className="jp-mlplat-card-text">{card[section]}</pre>
          )}
        </section>
      ))}
      {card.metrics.length > 0 && (
        <section className="jp-mlplat-card-section">
          <h5>{trans.__('Metrics')}</h5>
          <table className="jp-mlplat-table">
            <thead>
              <tr>
                <th>{trans.__('Metric')}</th>
                <th>{trans.__('Value')}</th>
                <th>{trans.__('Note')}</th>
              </tr>
            </thead>
            <tbody>
              {card.metrics.map(metric => (
                <tr key={metric.key}>
                  <td>{metric.key}</td>
                  <td title={metric.value === null ? '' : String(metric.value)}>
                    {metric.value === null ? '' : formatMetric(metric.value)}
                  </td>
                  <td>{metric.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {(card.owners.length > 0 || card.contact) && (
        <dl className="jp-mlplat-card-contacts">
          {card.owners.length > 0 && (
            <>
              <dt>{trans.__('Owners')}</dt>
              <dd>{card.owners.join(', ')}</dd>
            </>
          )}
          {card.contact && (
            <>
              <dt>{trans.__('Contact')}</dt>
              <dd>{card.contact}</dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
