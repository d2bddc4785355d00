import { Sanitizer } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IRenderMime, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { SanitizedMarkdown } from '../shell/markdown';
import { IActionRunner, onArticleClick } from './actions';

/** The addresses an article's links may keep; every other scheme is dropped. */
const ARTICLE_SCHEMES = ['http', 'https', 'mailto', 'mlplat'];

/** An image reference of an article's Markdown (`images/<sha>.png`). */
const IMAGE_REFERENCE = /^images\/[0-9a-f]{32}\.(png|jpg|gif|webp)$/;

/**
 * JupyterLab's renderers for an article's Markdown: its parser and its
 * sanitizer, with two changes that only narrow what an article can do.
 * The sanitizer keeps `mlplat:` product links (the tab runs them, see
 * `actions.ts`) and no command-linker attributes (an article must not run
 * an arbitrary lab command when clicked); the resolver gives the article's
 * own images (through the sidebar's proxy) and nothing else of the lab:
 * a relative link or image that is not one of them points nowhere, rather
 * than at a file of the reader's home.
 */
export function articleRendermime(
  rendermime: IRenderMimeRegistry,
  imageURL: (reference: string) => string | null
): IRenderMimeRegistry {
  const sanitizer = new Sanitizer();
  sanitizer.setAllowedSchemes(ARTICLE_SCHEMES);
  sanitizer.setAllowCommandLinker(false);
  sanitizer.setAllowNamedProperties(false);
  return rendermime.clone({
    sanitizer,
    resolver: new ArticleResolver(imageURL),
    linkHandler: { handleLink: () => undefined }
  });
}

/** Resolves an article's image references to the sidebar's image route. */
export class ArticleResolver implements IRenderMime.IResolver {
  constructor(imageURL: (reference: string) => string | null) {
    this._imageURL = imageURL;
  }

  isLocal(url: string): boolean {
    return URLExt.isLocal(url);
  }

  async resolveUrl(url: string): Promise<string> {
    return url;
  }

  async getDownloadUrl(url: string): Promise<string> {
    const reference = url.replace(/^\.\//, '');
    return (IMAGE_REFERENCE.test(reference) && this._imageURL(reference)) || '';
  }

  private _imageURL: (reference: string) => string | null;
}

export interface IArticleMarkdownProps {
  source: string;
  /** `articleRendermime`'s registry for the article shown. */
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  className?: string;
}

/**
 * One Markdown text of an article, drawn through the shared sanitized
 * renderer; clicks on its links go through the product-action handler.
 */
export function ArticleMarkdown(
  props: IArticleMarkdownProps
): JSX.Element | null {
  const { runner } = props;
  const onClick = React.useCallback(
    (event: React.MouseEvent) => onArticleClick(event, runner),
    [runner]
  );
  if (!props.source.trim()) {
    return null;
  }
  return (
    // The links inside are the keyboard's targets (Enter on a link is a
    // click); this only catches those clicks.
    <div className={props.className} onClick={onClick}>
      <SanitizedMarkdown
        source={props.source}
        rendermime={props.rendermime}
        images
      />
    </div>
  );
}
