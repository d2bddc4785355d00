import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

export interface ICardMarkdownProps {
  /** The model card's Markdown, as its author wrote it. */
  source: string;
  /** JupyterLab's renderers; without them the card is shown as plain text. */
  rendermime: IRenderMimeRegistry | null;
  className?: string;
}

/**
 * A model card drawn by JupyterLab's own Markdown renderer, as UNTRUSTED
 * content: the renderer passes its HTML through JupyterLab's sanitizer, so a
 * card's `<script>`, event attributes and `javascript:` links are dropped,
 * as in a notebook nobody has trusted.
 */
export function CardMarkdown(props: ICardMarkdownProps): JSX.Element {
  const { source, rendermime, className } = props;
  const host = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    const node = host.current;
    if (!node || !rendermime) {
      return;
    }
    const renderer = rendermime.createRenderer('text/markdown');
    const model = new MimeModel({
      data: { 'text/markdown': source },
      trusted: false
    });
    let cancelled = false;
    Widget.attach(renderer, node);
    renderer.renderModel(model).catch(() => {
      if (!cancelled) {
        renderer.node.textContent = source;
      }
    });
    return () => {
      cancelled = true;
      // disposing an attached widget detaches it
      renderer.dispose();
    };
  }, [source, rendermime]);

  if (!rendermime) {
    return <pre className={className}>{source}</pre>;
  }
  return <div ref={host} className={className} />;
}
