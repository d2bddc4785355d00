import { ILabStatus } from '@jupyterlab/application';
import { StateDB } from '@jupyterlab/statedb';
import { DisposableDelegate } from '@lumino/disposable';

import {
  authorActions,
  CardDraft,
  cardMarkdown,
  cardPath,
  emptyCard,
  IKeptCards,
  keptCards,
  listOf,
  pickMetric,
  startingCard
} from '../../models/card';
import { cardHeadings } from '../../models/labels';
import { english } from '../shell/fixtures';
import { publication, refused, ScriptedModels } from './fixtures';

function draftOn(api: ScriptedModels, delay = 10): CardDraft {
  return new CardDraft({
    api,
    publication: api.stored,
    load: async () => (await api.publication(api.stored.id)).publication,
    autosaveDelay: delay
  });
}

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('a card’s first draft', () => {
  it('is the card the platform filled in, in the workbench’s language', () => {
    const api = new ScriptedModels();
    const card = startingCard(api.drafted.card, 'ru');
    expect(card).toEqual({ ...api.drafted.card, language: 'ru' });
  });

  it('picks a run metric with the value the run logged', () => {
    const run = { f1: 0.88, accuracy: 0.91 };
    let card = pickMetric(emptyCard(), 'f1', true, run);
    card = pickMetric(card, 'accuracy', true, run);
    expect(card.metrics).toEqual([
      { key: 'accuracy', value: 0.91, note: '' },
      { key: 'f1', value: 0.88, note: '' }
    ]);
    expect(pickMetric(card, 'f1', false, run).metrics.map(m => m.key)).toEqual([
      'accuracy'
    ]);
  });

  it('reads lists typed with commas and names fields as the card does', () => {
    expect(listOf(' churn, , telecom ,')).toEqual(['churn', 'telecom']);
    expect(cardPath('card.metrics.0.key')).toBe('metrics.0.key');
    expect(cardPath('catalog_name')).toBe('catalog_name');
  });

  it('offers the author the steps of each state', () => {
    expect(authorActions('draft')).toEqual(['submit']);
    expect(authorActions('in_review')).toEqual(['withdraw']);
    expect(authorActions('changes_requested')).toEqual(['resubmit']);
    expect(authorActions('published')).toEqual([]);
  });

  it('lays the preview out as sections, a metric table escaped', () => {
    const text = cardMarkdown(
      {
        ...emptyCard(),
        description: 'Predicts **churn**.',
        metrics: [{ key: 'a|b', value: 0.123456789, note: 'on | test' }],
        tags: ['x', 'y']
      },
      'churn',
      cardHeadings(english)
    );
    expect(text).toContain('# churn');
    expect(text).toContain(
      '## Overview and intended use\n\nPredicts **churn**.'
    );
    expect(text).toContain('| a\\|b | 0.123457 | on \\| test |');
    expect(text).toContain('- **Tags:** x, y');
    // a task as the catalog and the review page name it, not its code
    expect(
      cardMarkdown(
        { ...emptyCard(), task: 'classification' },
        'churn',
        cardHeadings(english)
      )
    ).toContain('- **Task:** Classification');
    expect(text).not.toContain('Out-of-scope use');
    // the facts are text, as reviewers and the catalog show them
    const facts = cardMarkdown(
      {
        ...emptyCard(),
        license: '<b>MIT</b>-2.0',
        tags: ['[a](b)', 'c_d'],
        contact: '<i>ml-team</i>'
      },
      'churn',
      cardHeadings(english)
    );
    expect(facts).toContain('- **License:** \\<b\\>MIT\\</b\\>-2.0');
    expect(facts).toContain('- **Tags:** \\[a\\](b), c\\_d');
    expect(facts).toContain('\\<i\\>ml-team\\</i\\>');
  });
});

describe('CardDraft', () => {
  it('saves once typing pauses, with the revision it read', async () => {
    const api = new ScriptedModels();
    const draft = draftOn(api);
    draft.setCard({ ...draft.state.card, description: 'P' });
    draft.setCard({ ...draft.state.card, description: 'Pre' });
    expect(draft.state.dirty).toBe(true);
    await wait(40);

    expect(api.named('saveCard')).toEqual([
      [1, expect.objectContaining({ description: 'Pre' }), 1]
    ]);
    expect(draft.state.dirty).toBe(false);
    expect(draft.state.publication.revision).toBe(2);

    // the next save names the revision the last one answered
    draft.setCard({ ...draft.state.card, description: 'Predicts' });
    await draft.save();
    expect(api.named('saveCard')[1][2]).toBe(2);
    draft.dispose();
  });

  it('keeps text typed while a save was under way, and saves it next', async () => {
    const api = new ScriptedModels();
    let release = () => undefined as void;
    api.gate = new Promise<void>(resolve => (release = resolve));
    const draft = draftOn(api);
    draft.setCard({ ...draft.state.card, description: 'one' });
    const saving = draft.save();
    draft.setCard({ ...draft.state.card, description: 'one two' });
    release();
    api.gate = null;
    await saving;
    expect(draft.state.card.description).toBe('one two');
    expect(draft.state.dirty).toBe(true);
    await wait(40);
    expect(api.stored.card.description).toBe('one two');
    expect(draft.state.dirty).toBe(false);
    draft.dispose();
  });

  it('shows a refused field at its field until it changes', async () => {
    const api = new ScriptedModels();
    api.failures.saveCard = [
      refused(400, 'card_invalid', {
        fields: { 'card.catalog_name': 'bad name' },
        fieldReasons: {
          'card.catalog_name': { reason: 'catalog_name_invalid' }
        },
        params: { field: 'catalog_name', count: 1 }
      })
    ];
    const draft = draftOn(api, 1000);
    draft.setCard({ ...draft.state.card, catalog_name: 'Churn!' });
    expect(await draft.save()).toBe(false);
    expect(draft.state.fields).toEqual({ catalog_name: 'bad name' });
    expect(draft.state.fieldReasons).toEqual({
      catalog_name: { reason: 'catalog_name_invalid' }
    });

    // another field changes: the message stays; its own field: it goes
    draft.setCard({ ...draft.state.card, description: 'x' });
    expect(draft.state.fields).toEqual({ catalog_name: 'bad name' });
    draft.setCard({ ...draft.state.card, catalog_name: 'churn' });
    expect(draft.state.fields).toEqual({});
    expect(await draft.save()).toBe(true);
    draft.dispose();
  });

  it('keeps the lab dirty while changes are not saved, refused ones too', async () => {
    // JupyterLab asks before a reload or leaving while its status is dirty
    let marks = 0;
    const status = {
      setDirty: () => {
        marks += 1;
        return new DisposableDelegate(() => (marks -= 1));
      }
    } as unknown as ILabStatus;
    const api = new ScriptedModels();
    api.failures.saveCard = [
      refused(400, 'card_invalid', {
        fields: { 'card.license': 'too long' },
        params: { field: 'license', count: 1 }
      })
    ];
    const draft = new CardDraft({
      api,
      publication: api.stored,
      load: async () => (await api.publication(api.stored.id)).publication,
      autosaveDelay: 1000,
      status
    });
    expect(marks).toBe(0);
    draft.setCard({ ...draft.state.card, license: 'x'.repeat(150) });
    expect(marks).toBe(1);
    draft.setCard({ ...draft.state.card, description: 'Churn' });
    expect(marks).toBe(1); // one mark, however much is typed
    expect(await draft.save()).toBe(false);
    expect(marks).toBe(1); // refused: still not saved
    draft.setCard({ ...draft.state.card, license: 'MIT' });
    expect(await draft.save()).toBe(true);
    expect(marks).toBe(0);

    // a page closed over a change not saved: the mark goes with the draft
    draft.setCard({ ...draft.state.card, description: 'Churn of phones' });
    expect(marks).toBe(1);
    draft.dispose();
    expect(marks).toBe(0);
  });

  it('stops at a conflict, keeps what was typed, and reloads on request', async () => {
    const api = new ScriptedModels();
    api.failures.saveCard = [
      refused(409, 'publication_changed', { params: { by: 'rita' } })
    ];
    const draft = draftOn(api, 1000);
    draft.setCard({ ...draft.state.card, description: 'mine' });
    expect(await draft.save()).toBe(false);
    expect(draft.state.conflict).toEqual(
      expect.objectContaining({ reason: 'publication_changed' })
    );
    expect(draft.editable).toBe(false);
    expect(draft.state.card.description).toBe('mine');

    // no more saves or steps until the author reloads
    draft.setCard({ ...draft.state.card, description: 'mine too' });
    expect(draft.state.card.description).toBe('mine');
    expect(await draft.act('submit')).toBe(false);
    expect(api.named('act')).toEqual([]);

    api.stored = publication({ revision: 5, state: 'changes_requested' });
    await draft.reload();
    expect(draft.state.conflict).toBeNull();
    expect(draft.state.publication.revision).toBe(5);
    expect(draft.editable).toBe(true);
    draft.dispose();
  });

  it('saves what is typed before it submits, with the saved revision', async () => {
    const api = new ScriptedModels();
    const draft = draftOn(api, 1000);
    draft.setCard({ ...draft.state.card, description: 'Predicts churn.' });
    expect(await draft.act('submit')).toBe(true);

    expect(api.calls.map(c => c.method)).toEqual(['saveCard', 'act']);
    expect(api.named('act')).toEqual([[1, 'submit', 2]]);
    expect(draft.state.publication.state).toBe('in_review');
    expect(draft.editable).toBe(false);

    // withdraw from review, no card to save
    expect(await draft.act('withdraw')).toBe(true);
    expect(api.named('act')[1]).toEqual([1, 'withdraw', 3]);
    expect(draft.editable).toBe(true);
    draft.dispose();
  });

  it('marks each field a submission still needs', async () => {
    const api = new ScriptedModels();
    api.failures.act = [
      refused(400, 'card_incomplete', {
        params: { fields: 'catalog_name, description' },
        fields: {
          catalog_name: 'needed before submitting',
          description: 'needed before submitting'
        }
      })
    ];
    const draft = draftOn(api, 1000);
    expect(await draft.act('submit')).toBe(false);
    expect(draft.state.fieldReasons).toEqual({
      catalog_name: { reason: 'field_required' },
      description: { reason: 'field_required' }
    });
    expect(draft.state.failure?.reason).toBe('card_incomplete');
    expect(draft.state.publication.state).toBe('draft');
    draft.dispose();
  });

  it('does not submit a card the platform refused to save', async () => {
    const api = new ScriptedModels();
    api.failures.saveCard = [
      refused(400, 'card_invalid', { fields: { x: 'y' } })
    ];
    const draft = draftOn(api, 1000);
    draft.setCard({ ...draft.state.card, description: 'x' });
    expect(await draft.act('submit')).toBe(false);
    expect(api.named('act')).toEqual([]);
    draft.dispose();
  });
});

describe('a card typed but not saved', () => {
  // the lab's own state database, in memory as the lab's is until it saves the workspace
  // one per lab, as the plugin makes it: a save's hold is its own
  const made = new WeakMap<StateDB, IKeptCards>();
  function keptOn(db: StateDB): IKeptCards {
    const found = made.get(db) ?? keptCards(db);
    made.set(db, found);
    return found;
  }

  function draftKept(
    api: ScriptedModels,
    db: StateDB,
    delay = 1000
  ): CardDraft {
    return new CardDraft({
      api,
      publication: api.stored,
      load: async () => (await api.publication(api.stored.id)).publication,
      autosaveDelay: delay,
      kept: keptOn(db)
    });
  }

  it('is offered back after the page that refused it is gone', async () => {
    const api = new ScriptedModels();
    api.failures.saveCard = [
      refused(400, 'card_invalid', {
        fields: { 'card.license': 'too long' },
        params: { field: 'license', count: 1 }
      })
    ];
    const db = new StateDB();
    const first = draftKept(api, db);
    await first.ready;
    const typed = {
      ...first.state.card,
      description: 'Predicts churn of phone subscribers.',
      license: 'x'.repeat(150)
    };
    first.setCard(typed);
    expect(await first.save()).toBe(false);
    first.dispose(); // the page reloaded, or closed after its question

    const second = draftKept(api, db);
    await second.ready;
    expect(second.state.card).toEqual(api.stored.card); // the saved card first
    expect(second.state.kept).toEqual({
      at: expect.any(String),
      replaces: false
    });
    second.restoreKept();
    expect(second.state.card).toEqual(typed);
    expect(second.state.dirty).toBe(true);
    expect(second.state.kept).toBeNull();

    // fixed and saved: nothing is kept any more, even once the card changes
    // elsewhere (another tab of the author's)
    second.setCard({ ...second.state.card, license: 'MIT' });
    expect(await second.save()).toBe(true);
    second.dispose();
    await wait(0);
    api.stored = publication({ revision: api.stored.revision + 1 });
    const third = draftKept(api, db);
    await third.ready;
    expect(third.state.kept).toBeNull();
    expect(await keptOn(db).fetch(api.stored.id)).toBeNull();
    third.dispose();
  });

  it('says when the card was saved since, and can be discarded', async () => {
    const api = new ScriptedModels();
    const db = new StateDB();
    const card = { ...api.stored.card, description: 'typed in another tab' };
    await keptOn(db).save(api.stored.id, {
      card,
      base: { ...api.stored.card, description: 'as it was then' },
      at: '2026-12-05T10:00:00Z'
    });
    const draft = draftKept(api, db);
    await draft.ready;
    expect(draft.state.kept).toEqual({
      at: '2026-12-05T10:00:00Z',
      replaces: true
    });
    draft.discardKept();
    expect(draft.state.kept).toBeNull();
    expect(draft.state.card).toEqual(api.stored.card);
    await wait(0);
    expect(await keptOn(db).fetch(api.stored.id)).toBeNull();
    draft.dispose();
  });

  it('is kept through a conflict and offered over the card as it is now', async () => {
    const api = new ScriptedModels();
    api.failures.saveCard = [
      refused(409, 'publication_changed', { params: { by: 'rita' } })
    ];
    const db = new StateDB();
    const draft = draftKept(api, db);
    await draft.ready;
    draft.setCard({ ...draft.state.card, description: 'mine' });
    expect(await draft.save()).toBe(false);
    api.stored = publication({
      revision: 5,
      state: 'changes_requested',
      card: { ...api.stored.card, description: 'theirs' }
    });
    await draft.reload();
    expect(draft.state.card.description).toBe('theirs');
    expect(draft.state.kept?.replaces).toBe(true);
    draft.restoreKept();
    expect(draft.state.card.description).toBe('mine');
    draft.dispose();
  });

  it('is not offered when it is the saved card, nor while the card is in review', async () => {
    const api = new ScriptedModels();
    const db = new StateDB();
    await keptOn(db).save(api.stored.id, {
      card: api.stored.card,
      base: api.stored.card,
      at: '2026-12-05T10:00:00Z'
    });
    const same = draftKept(api, db);
    await same.ready;
    expect(same.state.kept).toBeNull();
    await wait(0);
    expect(await keptOn(db).fetch(api.stored.id)).toBeNull(); // nothing to keep
    same.dispose();

    const typed = { ...api.stored.card, description: 'later' };
    await keptOn(db).save(api.stored.id, {
      card: typed,
      base: api.stored.card,
      at: '2026-12-05T10:00:00Z'
    });
    api.stored = { ...api.stored, state: 'in_review' };
    const inReview = draftKept(api, db);
    await inReview.ready;
    expect(inReview.state.kept).toBeNull();
    // kept for when the card can change again: the withdrawal offers it
    expect((await keptOn(db).fetch(api.stored.id))?.card).toEqual(typed);
    expect(await inReview.act('withdraw')).toBe(true);
    expect(inReview.state.kept).toEqual({
      at: '2026-12-05T10:00:00Z',
      replaces: false
    });
    inReview.restoreKept();
    expect(inReview.state.card).toEqual(typed);
    inReview.dispose();

    // published: nothing can change the card any more, so nothing is kept
    await keptOn(db).save(api.stored.id, {
      card: typed,
      base: api.stored.card,
      at: '2026-12-05T10:00:00Z'
    });
    api.stored = { ...api.stored, state: 'published' };
    const published = draftKept(api, db);
    await published.ready;
    expect(published.state.kept).toBeNull();
    await wait(0);
    expect(await keptOn(db).fetch(api.stored.id)).toBeNull();
    published.dispose();
  });

  it('stays kept when the saved card is submitted over it, and comes back on withdrawal', async () => {
    const api = new ScriptedModels();
    const db = new StateDB();
    const typed = { ...api.stored.card, description: 'typed before a reload' };
    await keptOn(db).save(api.stored.id, {
      card: typed,
      base: api.stored.card,
      at: '2026-12-05T10:00:00Z'
    });
    const draft = draftKept(api, db);
    await draft.ready;
    expect(draft.state.kept).not.toBeNull();
    expect(await draft.act('submit')).toBe(true); // the saved card, not the kept one
    expect((await keptOn(db).fetch(api.stored.id))?.card).toEqual(typed);
    expect(await draft.act('withdraw')).toBe(true);
    expect(draft.state.kept).not.toBeNull();
    draft.restoreKept();
    expect(draft.state.card).toEqual(typed);
    draft.dispose();
  });

  it('is not offered by a page opened while the closing one saves it', async () => {
    const api = new ScriptedModels();
    const db = new StateDB();
    const closing = draftKept(api, db);
    await closing.ready;
    closing.setCard({ ...closing.state.card, description: 'saved on close' });
    let open = () => {};
    api.gate = new Promise<void>(resolve => (open = resolve));
    const saved = closing.save(); // the page's cleanup: save, then dispose
    const opening = draftKept(api, db); // the page drawn again meanwhile
    await wait(5);
    expect(opening.editable).toBe(false); // still looking, behind the save
    open();
    expect(await saved).toBe(true);
    closing.dispose();
    await opening.ready;
    expect(opening.state.kept).toBeNull();
    expect(await keptOn(db).fetch(api.stored.id)).toBeNull();
    opening.dispose();
  });

  it('takes no typing before the kept card was looked for', async () => {
    const api = new ScriptedModels();
    const db = new StateDB();
    const older = { ...api.stored.card, description: 'typed yesterday' };
    await keptOn(db).save(api.stored.id, {
      card: older,
      base: api.stored.card,
      at: '2026-12-04T10:00:00Z'
    });
    const draft = draftKept(api, db);
    draft.setCard({ ...draft.state.card, description: 'too early' });
    expect(draft.state.dirty).toBe(false);
    await draft.ready;
    expect(draft.editable).toBe(true);
    expect(draft.state.kept?.at).toBe('2026-12-04T10:00:00Z');
    expect((await keptOn(db).fetch(api.stored.id))?.card).toEqual(older);
    draft.dispose();
  });
});
