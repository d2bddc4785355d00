import { TranslationBundle } from '@jupyterlab/translation';
import { Button, HTMLSelect, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { taskLabel } from '../shell/labels';
import { Pager } from '../shell/pager';
import { RefreshButton } from '../shell/refresh';
import { LoadingNote } from '../shell/status';
import {
  aliasVersionLabel,
  facetLabel,
  facetValueLabel,
  sortLabel,
  statusLabel
} from './labels';
import { CatalogModel } from './model';
import { CHAMPION } from './snippet';
import { fromFirstMark, markdownText, markWords } from './summary';
import { CatalogSort, FACETS, FacetName, ICatalogHit } from './types';

/** The longest search the catalog (core/catalog/rules.py) takes: typing stops there. */
const MAX_QUERY = 200;

const SORTS: CatalogSort[] = ['relevance', 'updated', 'name'];

export interface ICatalogSearchProps {
  model: CatalogModel;
  state: CatalogModel.IState;
  trans: TranslationBundle;
}

/** The search: a text box searched as one types, sort, facets, hits and pages. */
export function CatalogSearch(props: ICatalogSearchProps): JSX.Element {
  const { model, state, trans } = props;
  const { query, results } = state;
  const pages = CatalogModel.pageCount(state);
  return (
    <section
      className="jp-mlplat-catalog-search"
      aria-label={trans.__('Catalog search')}
    >
      <div className="jp-mlplat-list-toolbar">
        <InputGroup
          type="search"
          className="jp-mlplat-search"
          rightIcon="ui-components:search"
          aria-label={trans.__('Search the catalog')}
          maxLength={MAX_QUERY}
          placeholder={trans.__('Search names, descriptions, cards and tags')}
          value={query.text}
          onChange={event => void model.setText(event.currentTarget.value)}
        />
        <RefreshButton
          trans={trans}
          title={trans.__('Search the catalog again')}
          onClick={() => void model.refresh()}
        />
      </div>
      <label className="jp-mlplat-catalog-sort">
        <span>{trans.__('Sort by')}</span>
        <HTMLSelect
          value={query.sort}
          options={SORTS.map(sort => ({
            value: sort,
            label: sortLabel(sort, trans)
          }))}
          onChange={event =>
            void model.setSort(event.currentTarget.value as CatalogSort)
          }
        />
      </label>
      {results && <Facets model={model} state={state} trans={trans} />}
      {results === null ? (
        <LoadingNote text={trans.__('Searching the catalog…')} />
      ) : results.hits.length === 0 ? (
        <p className="jp-mlplat-empty">
          {query.text.trim()
            ? trans.__('No model in the catalog matches “%1”.', query.text)
            : trans.__(
                'The catalog is empty: a model appears here once a review publishes it.'
              )}
        </p>
      ) : (
        <>
          <p className="jp-mlplat-catalog-total" role="status">
            {trans.__('Models found: %1', results.total)}
          </p>
          <ul
            className="jp-mlplat-catalog-hits"
            aria-label={trans.__('Catalog models')}
            aria-busy={state.busy}
          >
            {results.hits.map(hit => (
              <Hit
                key={hit.name}
                hit={hit}
                searched={query.text}
                found={results.words}
                model={model}
                trans={trans}
              />
            ))}
          </ul>
        </>
      )}
      {results && (
        <Pager
          page={query.page}
          pages={pages}
          onPage={page => void model.setPage(page)}
          trans={trans}
        />
      )}
    </section>
  );
}

/** Each facet with its values and counts; a checked value narrows the hits. */
function Facets(props: ICatalogSearchProps): JSX.Element | null {
  const { model, state, trans } = props;
  const counts = (facet: FacetName) => state.results?.facets[facet] ?? [];
  const chosen = state.query.facets;
  const shown = FACETS.filter(
    facet => counts(facet).length > 0 || (chosen[facet] ?? []).length
  );
  if (shown.length === 0) {
    return null;
  }
  const anyChosen = FACETS.some(facet => (chosen[facet] ?? []).length > 0);
  return (
    <div className="jp-mlplat-facets">
      {shown.map(facet => (
        <Facet
          key={facet}
          facet={facet}
          counts={counts(facet)}
          chosen={chosen[facet] ?? []}
          onToggle={value => void model.toggleFacet(facet, value)}
          trans={trans}
        />
      ))}
      {anyChosen && (
        <Button small minimal onClick={() => void model.clearFacets()}>
          {trans.__('Clear filters')}
        </Button>
      )}
    </div>
  );
}

function Facet(props: {
  facet: FacetName;
  counts: { value: string; count: number }[];
  chosen: string[];
  onToggle: (value: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { facet, counts, chosen, onToggle, trans } = props;
  // A chosen value stays on screen even when no hit has it any more.
  const values = [
    ...counts,
    ...chosen
      .filter(value => !counts.some(item => item.value === value))
      .map(value => ({ value, count: 0 }))
  ];
  return (
    <fieldset className="jp-mlplat-facet">
      <legend>{facetLabel(facet, trans)}</legend>
      {values.map(({ value, count }) => (
        <label key={value} className="jp-mlplat-facet-value">
          <input
            type="checkbox"
            checked={chosen.includes(value)}
            onChange={() => onToggle(value)}
          />
          <span className="jp-mlplat-facet-name">
            {facetValueLabel(facet, value, trans)}
          </span>
          <span className="jp-mlplat-facet-count">{count}</span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * One hit: its name opens the model page. Its summary is the card's
 * description as plain text (the card's Markdown is drawn only on the
 * model's page, through the sanitizer), the searched words marked.
 */
function Hit(props: {
  hit: ICatalogHit;
  /** The search's text, whose words the summary marks. */
  searched: string;
  /** How the words the answer found begin (their stems), marked as well. */
  found: readonly string[];
  model: CatalogModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { hit, searched, found, model, trans } = props;
  const summary = React.useMemo(
    () => markdownText(hit.description),
    [hit.description]
  );
  const facts = [
    hit.task ? taskLabel(hit.task, trans) : null,
    hit.framework,
    hit.team,
    hit.license
  ].filter((fact): fact is string => !!fact);
  return (
    <li className="jp-mlplat-catalog-hit">
      <div className="jp-mlplat-catalog-hit-title">
        <button
          type="button"
          className="jp-mlplat-link jp-mlplat-catalog-name"
          title={trans.__('Open the page of this model')}
          onClick={() => void model.openModel(hit.name)}
        >
          {hit.name}
        </button>
        {hit.status !== 'published' && (
          <span className="jp-mlplat-catalog-status">
            {statusLabel(hit.status, trans)}
          </span>
        )}
        {hit.aliases[CHAMPION] !== undefined && (
          <span className="jp-mlplat-catalog-champion">
            {aliasVersionLabel(CHAMPION, hit.aliases[CHAMPION], trans)}
          </span>
        )}
      </div>
      {summary && (
        <p className="jp-mlplat-catalog-description">
          {fromFirstMark(markWords(summary, searched, found)).map(
            (part, index) =>
              part.marked ? (
                <mark key={index}>{part.text}</mark>
              ) : (
                <React.Fragment key={index}>{part.text}</React.Fragment>
              )
          )}
        </p>
      )}
      {facts.length > 0 && (
        <p className="jp-mlplat-catalog-facts">{facts.join(' · ')}</p>
      )}
      {hit.tags.length > 0 && (
        <ul className="jp-mlplat-tags" aria-label={trans.__('Tags')}>
          {hit.tags.map(tag => (
            <li key={tag} className="jp-mlplat-tag">
              {tag}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
