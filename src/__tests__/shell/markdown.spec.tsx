import { render, waitFor } from '@testing-library/react';
import * as React from 'react';

import { SanitizedMarkdown } from '../../shell/markdown';
import { labRendermime } from './rendermime';

describe('SanitizedMarkdown', () => {
  it('draws a card as Markdown', async () => {
    const { container } = render(
      <SanitizedMarkdown
        source={'# Churn\n\nPredicts **churn**.'}
        rendermime={labRendermime()}
      />
    );
    await waitFor(() =>
      expect(container.querySelector('h1')?.textContent).toContain('Churn')
    );
    expect(container.querySelector('strong')?.textContent).toBe('churn');
  });

  it('drops scripts, handlers and javascript: links', async () => {
    (window as any).pwned = false;
    const { container } = render(
      <SanitizedMarkdown
        source={
          'Hi <script>window.pwned = true</script>' +
          '<img src="x" onerror="window.pwned = true">' +
          ' [click](javascript:window.pwned=true) <a href="javascript:alert(1)">a</a>'
        }
        rendermime={labRendermime()}
      />
    );
    await waitFor(() => expect(container.textContent).toContain('Hi'));
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
    for (const link of Array.from(container.querySelectorAll('a'))) {
      expect(link.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    }
    expect((window as any).pwned).toBe(false);
  });

  it('fetches no image a card names, and says where one was', async () => {
    const source =
      'Before ![ROC curve](https://tracker.example/pixel.png) and ' +
      '<img src="roc.png"> after.';
    const { container } = render(
      <SanitizedMarkdown source={source} rendermime={labRendermime()} />
    );
    await waitFor(() => expect(container.textContent).toContain('after.'));
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain(
      'Before [ROC curve] and […] after.'
    );
  });

  it('draws images where the renderer serves them (an article)', async () => {
    const { container } = render(
      <SanitizedMarkdown
        source={'![chart](images/abc.png)'}
        rendermime={labRendermime()}
        images
      />
    );
    await waitFor(() => expect(container.querySelector('img')).not.toBeNull());
    expect(container.querySelector('img')?.getAttribute('alt')).toBe('chart');
  });
});
