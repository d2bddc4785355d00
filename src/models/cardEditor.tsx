import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { describeError, describeFields } from '../shell/errors';
import { formatDateTime } from '../shell/labels';
import { LabelledSelect, TextField } from '../shell/fields';
import { useModelState } from '../shell/hooks';
import { SanitizedMarkdown } from '../shell/markdown';
import {
  authorActions,
  CardDraft,
  cardMarkdown,
  isEditable,
  listOf,
  pickMetric
} from './card';
import { actionLabel, cardHeadings, formatValue } from './labels';
import { CardLanguage, CardTextField, IModelCard } from './types';

export interface ICardEditorProps {
  draft: CardDraft;
  /** The run's metrics, to pick from with their values. */
  runMetrics: { readonly [key: string]: number };
  /** The card's title in the preview: the model and version. */
  title: string;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
}

/**
 * The model card of a publication: the form on one side, the card as
 * reviewers will read it on the other, drawn only through JupyterLab's
 * sanitizer. While the card is a draft (or changes were requested) every
 * change is saved once typing pauses; the author's steps (submit, withdraw,
 * resubmit) are the buttons under it.
 */
export function CardEditor(props: ICardEditorProps): JSX.Element {
  const { draft, trans } = props;
  const state = useModelState(draft);
  const { card, publication } = state;
  const editable = draft.editable;
  const fields = React.useMemo(
    () => describeFields(trans, state.fields, state.fieldReasons),
    [state.fields, state.fieldReasons, trans]
  );
  const error = (path: string) => fields[path] ?? null;
  const set = (patch: Partial<IModelCard>) =>
    draft.setCard({ ...card, ...patch });
  const text = (
    field: CardTextField,
    label: string,
    options: { multiline?: boolean; hint?: string } = {}
  ) => (
    <TextField
      path={field}
      label={label}
      value={card[field]}
      onChange={value => set({ [field]: value })}
      error={error(field)}
      hint={options.hint}
      multiline={options.multiline}
      disabled={!editable}
      className={`jp-mlplat-card-${field}`}
    />
  );
  const markdown = React.useMemo(
    // titled as model_card.md will be once published: by the catalog name
    () =>
      cardMarkdown(card, card.catalog_name || props.title, cardHeadings(trans)),
    [card, props.title, trans]
  );

  return (
    <div className="jp-mlplat-card-editor">
      <form
        className="jp-mlplat-card-form"
        aria-label={trans.__('Model card')}
        onSubmit={event => event.preventDefault()}
      >
        <KeptOffer state={state} draft={draft} trans={trans} />
        <SaveStatus state={state} draft={draft} trans={trans} />
        {text('catalog_name', trans.__('Name in the catalog'), {
          hint: trans.__(
            'Lowercase letters, digits and “-”: it names the model in the catalog and its deployments.'
          )
        })}
        <LabelledSelect
          label={trans.__('Language of the card')}
          value={card.language}
          options={[
            { value: 'en', label: trans.__('English') },
            { value: 'ru', label: trans.__('Russian') }
          ]}
          disabled={!editable}
          onChange={value => set({ language: value as CardLanguage })}
        />
        {text('description', trans.__('Overview and intended use'), {
          multiline: true,
          hint: trans.__('Markdown. What the model does, for whom, and how.')
        })}
        {text('out_of_scope', trans.__('Out-of-scope use'), {
          multiline: true
        })}
        {text('training_data', trans.__('Training data'), { multiline: true })}
        {text('evaluation_data', trans.__('Evaluation data'), {
          multiline: true
        })}
        <MetricPicker
          card={card}
          runMetrics={props.runMetrics}
          disabled={!editable}
          error={error}
          onChange={next => draft.setCard(next)}
          trans={trans}
        />
        {text('limitations', trans.__('Limitations and known failure modes'), {
          multiline: true
        })}
        {text('risks', trans.__('Risks and ethical considerations'), {
          multiline: true
        })}
        <ListField
          path="owners"
          label={trans.__('Owners')}
          hint={trans.__('Separated by commas.')}
          values={card.owners}
          onChange={owners => set({ owners })}
          error={listError(fields, 'owners')}
          disabled={!editable}
        />
        {text('contact', trans.__('Contact'))}
        {text('license', trans.__('License'), {
          hint: trans.__('An SPDX identifier such as Apache-2.0, or a name.')
        })}
        {text('task', trans.__('Task'), {
          hint: trans.__('Detected from the MLflow flavour; correct it freely.')
        })}
        {text('framework', trans.__('Framework'))}
        <ListField
          path="tags"
          label={trans.__('Tags')}
          hint={trans.__('Separated by commas.')}
          values={card.tags}
          onChange={tags => set({ tags })}
          error={listError(fields, 'tags')}
          disabled={!editable}
        />
        <div className="jp-mlplat-card-actions">
          {authorActions(publication.state).map(action => (
            <Button
              key={action}
              type="button"
              className={`jp-mlplat-card-${action}`}
              disabled={state.acting !== null || state.conflict !== null}
              onClick={() => void draft.act(action)}
            >
              {actionLabel(action, trans)}
            </Button>
          ))}
        </div>
      </form>
      <section
        className="jp-mlplat-card-preview"
        aria-label={trans.__('Preview of the card')}
      >
        <h4>{trans.__('Preview')}</h4>
        <SanitizedMarkdown
          source={markdown}
          rendermime={props.rendermime}
          className="jp-mlplat-card-rendered"
        />
      </section>
    </div>
  );
}

/** A card typed earlier and never saved, offered back over the saved one. */
function KeptOffer(props: {
  state: CardDraft.IState;
  draft: CardDraft;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { state, draft, trans } = props;
  if (!state.kept || !draft.editable) {
    return null;
  }
  return (
    <div className="jp-mlplat-card-kept" role="status">
      <p>
        {trans.__(
          'Changes you typed at %1 were not saved.',
          formatDateTime(state.kept.at)
        )}{' '}
        {state.kept.replaces
          ? trans.__(
              'The card has changed since: restoring puts what you typed then in its place.'
            )
          : trans.__('Restore them to go on where you stopped.')}
      </p>
      <Button type="button" onClick={() => draft.restoreKept()}>
        {trans.__('Restore my changes')}
      </Button>
      <Button type="button" minimal onClick={() => draft.discardKept()}>
        {trans.__('Discard them')}
      </Button>
    </div>
  );
}

/** Whether what is typed is saved, and why not when it is not. */
function SaveStatus(props: {
  state: CardDraft.IState;
  draft: CardDraft;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { state, draft, trans } = props;
  // The actions sit at the end of a long form and this at its start: a refusal
  // is brought into view, or the click would seem to do nothing.
  const shown = React.useRef<HTMLElement | null>(null);
  React.useEffect(() => {
    shown.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [state.conflict, state.failure]);
  if (state.conflict) {
    return (
      <div
        className="jp-mlplat-card-conflict"
        role="alert"
        ref={element => {
          shown.current = element;
        }}
      >
        <p>
          {describeError(trans, state.conflict) ??
            trans.__('The publication changed since you opened it.')}
        </p>
        <p>
          {draft.keeps
            ? trans.__(
                'Your last changes were not saved. Reload to see the publication as it is now: what you typed is kept, and offered back.'
              )
            : trans.__(
                'Your last changes were not saved. Reload to see the publication as it is now; copy what you typed first if you need it.'
              )}
        </p>
        <Button type="button" onClick={() => void draft.reload()}>
          {trans.__('Reload')}
        </Button>
      </div>
    );
  }
  if (state.failure) {
    return (
      <p
        className="jp-mlplat-card-failure"
        role="alert"
        ref={element => {
          shown.current = element;
        }}
      >
        {state.dirty
          ? trans.__(
              'Not saved: %1',
              describeError(trans, state.failure) ??
                trans.__('the platform refused the card.')
            )
          : (describeError(trans, state.failure) ??
            trans.__('The card could not be saved.'))}
      </p>
    );
  }
  if (!isEditable(state.publication.state) || (state.kept && !state.dirty)) {
    // a kept card offered back is what is not saved: its notice says so
    return null;
  }
  return (
    <p className="jp-mlplat-card-saved" role="status">
      {state.saving
        ? trans.__('Saving…')
        : state.dirty
          ? trans.__('Not saved yet')
          : trans.__('All changes saved')}
    </p>
  );
}

/** The first message about a list or one of its entries. */
function listError(
  fields: { [path: string]: string },
  path: string
): string | null {
  const key = Object.keys(fields).find(
    key => key === path || key.startsWith(`${path}.`)
  );
  return key ? fields[key] : null;
}

/**
 * A list typed as text, separated by commas. The text is the input's own
 * while it has the focus, so a comma just typed does not vanish.
 */
function ListField(props: {
  path: string;
  label: string;
  hint: string;
  values: string[];
  onChange: (values: string[]) => void;
  error: string | null;
  disabled: boolean;
}): JSX.Element {
  const [text, setText] = React.useState(props.values.join(', '));
  React.useEffect(() => {
    if (listOf(text).join('\n') !== props.values.join('\n')) {
      setText(props.values.join(', '));
    }
  }, [props.values]);
  return (
    <TextField
      path={props.path}
      label={props.label}
      value={text}
      hint={props.hint}
      error={props.error}
      disabled={props.disabled}
      onChange={value => {
        setText(value);
        props.onChange(listOf(value));
      }}
    />
  );
}

/**
 * The run's metrics, each picked for the card with a checkbox; a picked
 * one shows its value as the run logged it and takes a note.
 */
function MetricPicker(props: {
  card: IModelCard;
  runMetrics: { readonly [key: string]: number };
  disabled: boolean;
  error: (path: string) => string | null;
  onChange: (card: IModelCard) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { card, runMetrics, trans } = props;
  const keys = [
    ...new Set([
      ...Object.keys(runMetrics),
      ...card.metrics.map(metric => metric.key)
    ])
  ].sort();
  const whole = props.error('metrics');
  return (
    <fieldset
      className="jp-mlplat-fieldset jp-mlplat-card-metrics"
      data-path="metrics"
    >
      <legend>{trans.__('Metrics')}</legend>
      {keys.length === 0 ? (
        <p className="jp-mlplat-field-hint">
          {trans.__('The run logged no metrics.')}
        </p>
      ) : (
        <ul className="jp-mlplat-rows">
          {keys.map(key => {
            const index = card.metrics.findIndex(metric => metric.key === key);
            const metric = index >= 0 ? card.metrics[index] : null;
            const message =
              index >= 0
                ? (props.error(`metrics.${index}.value`) ??
                  props.error(`metrics.${index}.key`) ??
                  props.error(`metrics.${index}.note`))
                : null;
            return (
              <li key={key} className="jp-mlplat-row jp-mlplat-card-metric">
                <label className="jp-mlplat-check">
                  <input
                    type="checkbox"
                    className="jp-mod-styled"
                    checked={metric !== null}
                    disabled={props.disabled}
                    onChange={event =>
                      props.onChange(
                        pickMetric(
                          card,
                          key,
                          event.currentTarget.checked,
                          runMetrics
                        )
                      )
                    }
                  />
                  <span className="jp-mlplat-code">{key}</span>
                </label>
                <span className="jp-mlplat-card-metric-value">
                  {formatValue(metric ? metric.value : runMetrics[key])}
                </span>
                {metric && (
                  <input
                    type="text"
                    className="jp-mod-styled"
                    value={metric.note}
                    placeholder={trans.__('Note')}
                    aria-label={trans.__('Note on %1', key)}
                    disabled={props.disabled}
                    onChange={event =>
                      props.onChange({
                        ...card,
                        metrics: card.metrics.map(m =>
                          m.key === key
                            ? { ...m, note: event.currentTarget.value }
                            : m
                        )
                      })
                    }
                  />
                )}
                {message && <p className="jp-mlplat-field-error">{message}</p>}
              </li>
            );
          })}
        </ul>
      )}
      {whole && <p className="jp-mlplat-field-error">{whole}</p>}
    </fieldset>
  );
}
