import { CommandRegistry } from '@lumino/commands';

import { adminTab } from '../../admin/plugin';
import { analyticsTab } from '../../analytics/plugin';
import { catalogTab } from '../../catalog/plugin';
import { deploymentsTab } from '../../deployments/plugin';
import { ProfilesModel } from '../../admin/model';
import { experimentsTab } from '../../experiments/plugin';
import { ExperimentsModel } from '../../experiments/model';
import { gitTab } from '../../git/plugin';
import { instructionsTab } from '../../instructions/plugin';
import { GitModel } from '../../git/model';
import { modelsTab } from '../../models/plugin';
import { reviewsTab } from '../../reviews/plugin';
import { IMLPlatformSidebar } from '../../tokens';
import { TabRegistry } from '../../shell/registry';
import { upcomingTabs } from '../../upcoming/plugin';

/**
 * The tabs the extension's plugins add, as a registry: the real tab of
 * each model given, an empty tab of the same name and rank otherwise, and
 * the placeholders of the features not built yet (none today). Nothing disposes the
 * registry, so the models stay the test's to dispose.
 */
export function productTabs(
  options: {
    experiments?: ExperimentsModel | null;
    git?: GitModel | null;
    profiles?: ProfilesModel | null;
    commands?: CommandRegistry;
  } = {}
): TabRegistry {
  const tabs = new TabRegistry();
  const empty = (tab: IMLPlatformSidebar.ITab): IMLPlatformSidebar.ITab => ({
    ...tab,
    model: undefined,
    render: () => null
  });
  const stand = {} as never;
  tabs.add(
    options.experiments
      ? experimentsTab(
          options.experiments,
          options.commands ?? new CommandRegistry()
        )
      : empty(experimentsTab(stand, new CommandRegistry()))
  );
  tabs.add(options.git ? gitTab(options.git) : empty(gitTab(stand)));
  tabs.add(empty(modelsTab(stand, new CommandRegistry())));
  tabs.add(
    empty(
      reviewsTab({
        model: { badge: undefined } as never,
        feed: stand,
        rendermime: stand,
        commands: new CommandRegistry()
      })
    )
  );
  tabs.add(empty(catalogTab(stand)));
  tabs.add(
    empty(deploymentsTab(stand, { gatewayBase: '', versionsOf: stand }))
  );
  tabs.add(
    empty(
      instructionsTab({
        model: stand,
        rendermime: stand,
        runner: stand,
        openFile: () => undefined
      })
    )
  );
  tabs.add(empty(analyticsTab(stand)));
  tabs.add(
    options.profiles ? adminTab(options.profiles) : empty(adminTab(stand))
  );
  for (const tab of upcomingTabs()) {
    tabs.add(tab);
  }
  return tabs;
}
