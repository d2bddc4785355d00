import {
  IRenderMime,
  IRenderMimeRegistry,
  MimeModel
} from '@jupyterlab/rendermime';
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
  /**
   * Draw the images the Markdown names. Off unless the renderer resolves
   * them to something the platform serves (an article's uploaded images):
   * in a model card an image is either a path in the reader's own home
   * (a 404 at every preview) or an address elsewhere, which every reviewer's
   * browser would fetch, telling that server who read the card and when.
   * Without, an image is its alt text in brackets ([…] with none).
   */
  images?: boolean;
}

/** JupyterLab's sanitizer, then every `img` replaced by its alt text. */
class ImagesAsText implements IRenderMime.ISanitizer {
  constructor(private readonly _inner: IRenderMime.ISanitizer) {}

  get allowNamedProperties(): boolean | undefined {
    return this._inner.allowNamedProperties;
  }

  getAutolink(): boolean {
    return this._inner.getAutolink?.() ?? true;
  }

  sanitize(dirty: string, options?: IRenderMime.ISanitizerOptions): string {
    const clean = this._inner.sanitize(dirty, options);
    if (!/<img/i.test(clean)) {
      return clean;
    }
    // a template's content is inert: nothing in it is fetched. The HTML is
    // the sanitizer's output, on its way to the renderer, which sets it as
    // HTML anyway: no server string becomes HTML here that would not already
    const template = document.createElement('template');
    // eslint-disable-next-line no-restricted-properties
    template.innerHTML = clean;
    for (const image of Array.from(template.content.querySelectorAll('img'))) {
      const alt = image.getAttribute('alt')?.trim();
      const said = document.createElement('span');
      said.className = 'jp-mlplat-image-omitted';
      said.textContent = `[${alt || '…'}]`;
      image.replaceWith(said);
    }
    // eslint-disable-next-line no-restricted-properties
    return template.innerHTML;
  }
}

/**
 * Markdown from a person (a model card), drawn the way JupyterLab draws an
 * untrusted notebook's Markdown: parsed by its parser and sanitized by its
 * sanitizer. Every tab that shows a card uses this, so there is one path
 * from user Markdown to the page.
 */
export function SanitizedMarkdown(props: ISanitizedMarkdownProps): JSX.Element {
  const { source } = props;
  const rendermime = React.useMemo(
    () =>
      props.images
        ? props.rendermime
        : props.rendermime.clone({
            sanitizer: new ImagesAsText(props.rendermime.sanitizer)
          }),
    [props.rendermime, props.images]
  );
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
