import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CommandIDs } from '../shell/commands';
import { IPageTracker } from '../shell/pages';
import { IMLPlatformSidebar, INotificationFeed } from '../tokens';
import { ReviewsClient } from './api';
import { reasonLabels } from './labels';
import { ReviewsModel } from './model';
import { createReviewPage, reviewTitle } from './pageWidget';
import { ReviewsTab } from './tab';

/** After the Models tab: what others sent for the reviewer to judge. */
export const REVIEWS_RANK = 400;

/** The role that sees the tab (the platform's `custom:mlplat:review` scope). */
export const REVIEWER_ROLE = 'reviewer';

/*
 * Commands of other tabs, known by id only: the Reviews tab opens them when
 * their plugins are there, and works without them.
 */
/** The Experiments tab's run page (args: runId, name). */
const OPEN_RUN = 'mlplat:open-run';
/** The Models tab's version page, an author's view of a publication (args: name, version). */
const OPEN_VERSION = 'mlplat:open-model-version';

export interface IReviewsTabOptions {
  model: ReviewsModel;
  feed: INotificationFeed;
  rendermime: IRenderMimeRegistry;
  commands: CommandRegistry;
}

/** The Reviews tab as the sidebar adds it; only reviewers see it. */
export function reviewsTab(
  options: IReviewsTabOptions
): IMLPlatformSidebar.ITab {
  const { model } = options;
  return {
    id: 'reviews',
    rank: REVIEWS_RANK,
    label: trans => trans.__('Reviews'),
    role: REVIEWER_ROLE,
    model,
    badge: model.badge,
    render: ({ trans, identity }) =>
      React.createElement(ReviewsTab, {
        model,
        feed: options.feed,
        me: identity.name,
        trans
      })
  };
}

/**
 * Keeps the main-area review page in step with the publication the model
 * has open: opened (or brought forward) when one opens, closed when it
 * closes, and closing the page closes the publication.
 */
export function followReviewPage(
  options: IReviewsTabOptions & {
    shell: JupyterFrontEnd.IShell;
    trans: TranslationBundle;
    me: () => string;
    /** Follow the page, so a reload opens the publication shown then. */
    pages?: IPageTracker | null;
  }
): { current(): MainAreaWidget | null } {
  const { model, commands, shell, trans } = options;
  let widget: MainAreaWidget | null = null;
  let shown: number | null = null;
  model.stateChanged.connect((_, state) => {
    const page = state.page;
    if (!page) {
      shown = null;
      widget?.dispose();
      return;
    }
    let fresh = false;
    if (!widget) {
      widget = createReviewPage({
        model,
        me: options.me(),
        rendermime: options.rendermime,
        trans,
        onOpenRun: commands.hasCommand(OPEN_RUN)
          ? (runId, name) => void commands.execute(OPEN_RUN, { runId, name })
          : null
      });
      widget.disposed.connect(() => {
        widget = null;
        model.close();
      });
      fresh = true;
    }
    widget.title.label = reviewTitle(page, trans);
    if (page.id !== shown) {
      shown = page.id;
      // named before the shell saves the layout with it
      options.pages?.track(widget, { id: page.id });
      if (fresh) {
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
    }
  });
  return { current: () => widget };
}

/**
 * Reopens a review page after a reload (args: id): at once, reading the
 * publication itself, so the layout does not wait for the platform; a
 * reader who is no reviewer any more is told so on the page.
 */
export const OPEN_REVIEW_PAGE = 'mlplat:open-review-page';

/**
 * The Reviews tab: the queue with its count on the strip, a publication's
 * page with the decision, and the notifications' Open.
 */
export const reviewsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:reviews',
  description:
    'The Reviews tab of the ML Platform sidebar: the review queue with a count badge, publication pages with the champion comparison, lineage and code changes, and the decisions.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    rendermime: IRenderMimeRegistry
  ) => {
    const trans = translator.load(sidebar.translationDomain);
    const model = new ReviewsModel({
      api: new ReviewsClient(app.serviceManager.serverSettings)
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(
      reviewsTab({
        model,
        feed: sidebar.notifications,
        rendermime,
        commands: app.commands
      })
    );
    tab.disposed.connect(() => labels.dispose());
    const reviewPage = followReviewPage({
      model,
      feed: sidebar.notifications,
      rendermime,
      commands: app.commands,
      shell: app.shell,
      trans,
      me: () => model.state.me ?? '',
      pages: sidebar.pages('mlplat-review-page', OPEN_REVIEW_PAGE)
    });
    const reopen = app.commands.addCommand(OPEN_REVIEW_PAGE, {
      execute: args => {
        void model.open(Number(args['id']));
        const opened = reviewPage.current();
        if (!opened) {
          throw new Error('The review page did not open.');
        }
        return opened;
      }
    });

    // Only reviewers have a queue to count.
    void sidebar
      .whoAmI()
      .then(identity => {
        model.setMe(identity.name);
        if ((identity.roles as readonly string[]).includes(REVIEWER_ROLE)) {
          model.start();
        }
      })
      .catch(() => undefined);
    // A new submission shows in the queue and on the badge at once.
    sidebar.notifications.arrived.connect((_, items) => {
      if (items.some(item => item.kind === 'submitted')) {
        void model.refresh();
      }
    });

    const command = app.commands.addCommand(CommandIDs.openPublication, {
      label: trans.__('Open Publication'),
      caption: trans.__(
        'Open a publication: its review page, or its model version'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            id: { type: 'number', description: trans.__('The publication id') },
            kind: {
              type: 'string',
              description: trans.__('What the notification says happened')
            },
            modelName: {
              type: 'string',
              description: trans.__('The registered model')
            },
            version: {
              type: 'string',
              description: trans.__('The model version')
            }
          },
          required: ['id']
        }
      },
      execute: async args => {
        const id = Number(args['id']);
        const name = args['modelName'];
        const version = args['version'];
        const identity = await sidebar.whoAmI();
        const reviewer = (identity.roles as readonly string[]).includes(
          REVIEWER_ROLE
        );
        // A submission is news for reviewers; a decision or a publish is
        // the author's, who reads it on the version's page.
        const forReviewer =
          reviewer &&
          (args['kind'] === 'submitted' || args['kind'] === 'publish_failed');
        if (
          !forReviewer &&
          typeof name === 'string' &&
          typeof version === 'string' &&
          app.commands.hasCommand(OPEN_VERSION)
        ) {
          await app.commands.execute(OPEN_VERSION, { name, version });
          return;
        }
        if (reviewer && Number.isInteger(id)) {
          sidebar.showTab('reviews');
          await model.open(id);
          return;
        }
        sidebar.showTab('models');
      }
    });
    tab.disposed.connect(() => {
      command.dispose();
      reopen.dispose();
    });
  }
};
