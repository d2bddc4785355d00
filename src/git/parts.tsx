import * as React from 'react';

import { safeHttpUrl } from '../shell/labels';

/*
 * Small pieces every section of the Git tab uses. Server, git and GitLab
 * strings go into React text nodes only, never into HTML.
 */

export interface ISectionProps {
  title: string;
  className?: string;
  children: React.ReactNode;
}

/** A titled region, so screen readers and UI tests can find it by name. */
export function Section(props: ISectionProps): JSX.Element {
  const id = React.useId();
  return (
    <section
      className={`jp-mlplat-git-section ${props.className ?? ''}`.trim()}
      aria-labelledby={id}
    >
      <h3 id={id} className="jp-mlplat-git-heading">
        {props.title}
      </h3>
      {props.children}
    </section>
  );
}

/** A form's toolbar with its primary submit button, and anything after it. */
export function SubmitBar(props: {
  label: string;
  disabled: boolean;
  title?: string;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-mlplat-toolbar">
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept jp-mlplat-git-primary"
        disabled={props.disabled}
        title={props.title}
      >
        {props.label}
      </button>
      {props.children}
    </div>
  );
}

/**
 * A link from the server or GitLab: opened in a new browser tab, and only
 * when it is http(s); anything else is shown as text.
 */
export function ExternalLink(props: {
  href: string | null | undefined;
  children: React.ReactNode;
  className?: string;
  title?: string;
}): JSX.Element {
  const href = safeHttpUrl(props.href);
  if (!href) {
    return <span className={props.className}>{props.children}</span>;
  }
  return (
    <a
      className={`jp-mlplat-git-link ${props.className ?? ''}`.trim()}
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      title={props.title}
    >
      {props.children}
    </a>
  );
}
