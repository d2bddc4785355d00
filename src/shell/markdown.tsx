import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

/** The one media type a card is drawn as. */
const MARKDOWN = 'text/markdown';

export interface ISanitizedMarkdownProps {
  /** Markdown written by a person (a model card): never trusted. */
  source: string;
  /**
   * JupyterLab's renderers: its Markdown parser, its HTML sanitizer and its
   * link handling. Untrusted Markdown goes through the sanitizer there, so
   * a script or a `javascript:` link in a card does nothing.
   */
  rendermime: IRenderMimeRegistry;
  className?: string;
}

/**
 * Markdown from a person (a model card), drawn the way JupyterLab draws an
 * untrusted notebook's Markdown: parsed by its parser and sanitized by its
 * sanitizer. Every tab that shows a card uses this, so there is one path
 * from user Markdown to the page.
 */
export function SanitizedMarkdown(props: ISanitizedMarkdownProps): JSX.Element {
  const { source, rendermime } = props;
  const host = React.useRef<HTMLDivElement>(null);
  // A layout effect: its cleanup runs while the host is still in the page,
  // which Lumino needs to detach the renderer.
  React.useLayoutEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    const renderer = rendermime.createRenderer(MARKDOWN);
    const model = new MimeModel({
      data: { [MARKDOWN]: source },
      trusted: false
    });
    let gone = false;
    void renderer.renderModel(model).then(() => {
      if (!gone && !renderer.isDisposed && node.isConnected) {
        Widget.attach(renderer, node);
      }
    });
    return () => {
      gone = true;
      if (renderer.isAttached) {
        Widget.detach(renderer);
      }
      renderer.dispose();
    };
  }, [source, rendermime]);
  return (
    <div
      ref={host}
      className={`jp-mlplat-markdown ${props.className ?? ''}`.trim()}
    />
  );
}
