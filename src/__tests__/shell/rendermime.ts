import { Sanitizer } from '@jupyterlab/apputils';
import {
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';
import { marked } from 'marked';

/** JupyterLab's renderers as the lab builds them: marked, then its sanitizer. */
export function labRendermime(): RenderMimeRegistry {
  return new RenderMimeRegistry({
    initialFactories: standardRendererFactories,
    sanitizer: new Sanitizer(),
    markdownParser: { render: async text => await marked.parse(text) }
  });
}
