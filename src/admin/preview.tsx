import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { describeError, describeFields } from '../shell/errors';
import { LoadingNote } from '../shell/status';
import { IPodSpecPreview } from './types';
import { IDraftProblem } from './draft';
import { fieldLabel, problemText } from './labels';
import { ProfilesModel } from './model';

export interface IPodPreviewProps {
  preview: ProfilesModel.Preview;
  /** What the browser found wrong; shown like the platform's messages. */
  problems: IDraftProblem[];
  trans: TranslationBundle;
}

/**
 * The pod a server of the draft would get, as the platform computes it,
 * refreshed as the admin types. While the draft is invalid it lists what is
 * wrong instead, so the admin never reads resources that would not apply.
 */
export function PodPreview(props: IPodPreviewProps): JSX.Element {
  const { preview, problems, trans } = props;
  let body: JSX.Element;
  if (preview.kind === 'invalid' || problems.length > 0) {
    const fields =
      preview.kind === 'invalid'
        ? describeFields(trans, preview.fields, preview.fieldReasons)
        : {};
    body = (
      <div className="jp-mlplat-pod-invalid">
        <p className="jp-mlplat-field-error">
          {trans.__('No pod: the profile is not valid yet.')}
        </p>
        <ul>
          {Object.entries(fields).map(([path, message]) => (
            <li key={path}>
              <span className="jp-mlplat-error-field">
                {fieldLabel(path, trans)}
              </span>
              {': '}
              {message}
            </li>
          ))}
          {problems.map(problem => (
            <li key={`${problem.path}:${problem.key}`}>
              <span className="jp-mlplat-error-field">
                {fieldLabel(problem.path, trans)}
              </span>
              {': '}
              {problemText(problem, trans)}
            </li>
          ))}
        </ul>
      </div>
    );
  } else if (preview.kind === 'error') {
    const said = describeError(trans, preview);
    body = (
      <p className="jp-mlplat-status">
        {preview.status === 0 || preview.status === 503
          ? trans.__('The platform is unavailable: no preview for now.')
          : trans.__('No preview (HTTP %1).', preview.status)}
        {said ? ` ${said}` : ''}
      </p>
    );
  } else if (preview.pod) {
    body = <PodSpec pod={preview.pod} trans={trans} />;
  } else {
    body = <LoadingNote text={trans.__('Computing the pod…')} />;
  }
  return (
    <section
      className="jp-mlplat-pod-preview"
      aria-label={trans.__('Pod preview')}
      aria-busy={preview.kind === 'loading'}
    >
      <h4 className="jp-mlplat-pod-title">
        {trans.__('Resulting pod')}
        {preview.kind === 'loading' && preview.pod && (
          <span className="jp-mlplat-pod-updating">
            {trans.__('updating…')}
          </span>
        )}
      </h4>
      {body}
    </section>
  );
}

/** Resources as a request/limit table, then the rest of the spec as lines. */
function PodSpec(props: {
  pod: IPodSpecPreview;
  trans: TranslationBundle;
}): JSX.Element {
  const { pod, trans } = props;
  const { requests, limits } = pod.resources;
  const names = [
    ...Object.keys(requests),
    ...Object.keys(limits).filter(name => !(name in requests))
  ];
  return (
    <>
      <table
        className="jp-mlplat-table jp-mlplat-pod-resources"
        aria-label={trans.__('Pod resources')}
      >
        <thead>
          <tr>
            <th scope="col">{trans.__('Resource')}</th>
            <th scope="col">{trans.__('Request')}</th>
            <th scope="col">{trans.__('Limit')}</th>
          </tr>
        </thead>
        <tbody>
          {names.map(name => (
            <tr key={name}>
              <th scope="row" className="jp-mlplat-code">
                {name}
              </th>
              <td className="jp-mlplat-code">{requests[name] ?? '—'}</td>
              <td className="jp-mlplat-code">{limits[name] ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="jp-mlplat-pod-spec">
        <dt>{trans.__('Image')}</dt>
        <dd className="jp-mlplat-code">{pod.image}</dd>
        <dt>{trans.__('Node selector')}</dt>
        <SpecLines
          lines={Object.entries(pod.nodeSelector).map(([k, v]) => `${k}=${v}`)}
          none={trans.__('any node')}
        />
        <dt>{trans.__('Tolerations')}</dt>
        <SpecLines
          lines={pod.tolerations.map(tolerationText)}
          none={trans.__('none')}
        />
        <dt>{trans.__('Environment')}</dt>
        <SpecLines
          lines={pod.env.map(e => `${e.name}=${e.value}`)}
          none={trans.__('none')}
        />
      </dl>
    </>
  );
}

function SpecLines(props: { lines: string[]; none: string }): JSX.Element {
  return props.lines.length === 0 ? (
    <dd className="jp-mlplat-pod-none">{props.none}</dd>
  ) : (
    <dd className="jp-mlplat-code">
      {props.lines.map((line, index) => (
        <div key={index}>{line}</div>
      ))}
    </dd>
  );
}

/** A toleration in Kubernetes' words: `nvidia.com/gpu Exists NoSchedule`. */
function tolerationText(t: IPodSpecPreview['tolerations'][number]): string {
  return [t.key, t.operator, t.value, t.effect].filter(Boolean).join(' ');
}
