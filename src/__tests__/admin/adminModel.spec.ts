import {
  draftOf,
  keyValueRow,
  newDraft,
  toBody,
  tolerationDraft
} from '../../admin/draft';
import { ProfilesModel } from '../../admin/model';
import { ProfileBody } from '../../admin/types';
import {
  conflict,
  invalidProfile,
  podPreview,
  profile,
  profileList,
  profileRecord,
  ScriptedProfiles
} from './fixtures';
import { unavailable } from '../shell/fixtures';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Resolve when the model's state satisfies a predicate. */
function until(
  model: ProfilesModel,
  predicate: (state: ProfilesModel.IState) => boolean
): Promise<ProfilesModel.IState> {
  if (predicate(model.state)) {
    return Promise.resolve(model.state);
  }
  return new Promise(resolve => {
    const onChange = (_: ProfilesModel, state: ProfilesModel.IState) => {
      if (predicate(state)) {
        model.stateChanged.disconnect(onChange);
        resolve(state);
      }
    };
    model.stateChanged.connect(onChange);
  });
}

const previewSettled = (model: ProfilesModel) =>
  until(model, s => !!s.editor && s.editor.preview.kind !== 'loading');

describe('ProfilesModel', () => {
  let api: ScriptedProfiles;
  let model: ProfilesModel;

  beforeEach(() => {
    api = new ScriptedProfiles();
    model = new ProfilesModel({ api, previewDelay: 5 });
  });

  afterEach(() => model.dispose());

  /** Load the list and open "Large CPU" in the editor. */
  async function editLarge(): Promise<ProfilesModel.IEditor> {
    await model.refresh();
    const record = model.state.profiles!.find(
      r => r.profile.slug === 'cpu-large'
    )!;
    model.edit(record);
    return (await previewSettled(model)).editor!;
  }

  const sentBody = (method: string): ProfileBody => {
    const calls = api.callsOf(method);
    const args = calls[calls.length - 1];
    return (method === 'updateProfile' ? args[1] : args[0]) as ProfileBody;
  };

  it('loads the profiles and the groups they may be opened to', async () => {
    expect(model.state.status).toEqual({ kind: 'loading' });

    await model.refresh();

    expect(model.state.status).toEqual({ kind: 'ready' });
    expect(model.state.profiles?.map(r => r.profile.slug)).toEqual([
      'cpu-small',
      'cpu-large',
      'gpu-1'
    ]);
    expect(model.state.knownGroups).toEqual([
      'data-scientists',
      'gpu-users',
      'reviewers'
    ]);
  });

  it('says when the platform is down, and recovers on refresh', async () => {
    api.lists = [unavailable('platform restarting'), profileList()];

    await model.refresh();
    expect(model.state.status).toEqual({
      kind: 'unavailable',
      message: 'platform restarting',
      reason: 'Service Unavailable',
      requestId: 'req-503'
    });

    await model.refresh();
    expect(model.state.status.kind).toBe('ready');
  });

  it('opens a profile as a draft and previews its pod at once', async () => {
    const editor = await editLarge();

    expect(editor.mode).toBe('edit');
    expect(editor.base?.revision).toBe(3);
    expect(editor.draft.cpu_limit).toBe('8');
    expect(editor.draft.gpu).toBe('0');
    expect(editor.dirty).toBe(false);
    expect(editor.preview).toEqual({ kind: 'ready', pod: podPreview().pod });
    expect(api.callsOf('previewProfile')).toHaveLength(1);
  });

  it('previews once typing pauses, and maps invalid inputs to fields', async () => {
    await editLarge();
    api.previews = [
      invalidProfile({
        cpu_limit: "'lots' is not a CPU quantity like 2, 0.5 or 500m",
        mem_limit: "'x' is not a memory quantity"
      })
    ];

    model.setField('cpu_limit', 'l');
    model.setField('cpu_limit', 'lo');
    model.setField('cpu_limit', 'lots');
    expect(model.state.editor?.dirty).toBe(true);
    await sleep(30);
    const editor = (await previewSettled(model)).editor!;

    // One request for the three keystrokes, with the text as typed
    expect(api.callsOf('previewProfile')).toHaveLength(2);
    expect(sentBody('previewProfile').cpu_limit).toBe('lots');
    expect(editor.preview.kind).toBe('invalid');
    expect(editor.fields.cpu_limit).toContain("'lots'");
    // The touched input shows its message; the untouched one waits for a save
    expect(ProfilesModel.shownError(editor, 'cpu_limit')).toContain("'lots'");
    expect(ProfilesModel.shownError(editor, 'mem_limit')).toBeNull();
  });

  it('saves with the revision the edit started from, then re-reads the list', async () => {
    await editLarge();
    const saved = profileRecord(
      { description: 'Bigger data, faster.' },
      { revision: 4, updated_by: 'adam' }
    );
    api.updated = [saved];
    api.lists = [
      {
        ...profileList(),
        profiles: profileList().profiles.map(r =>
          r.profile.slug === 'cpu-large' ? saved : r
        )
      }
    ];
    const listsBefore = api.callsOf('profiles').length;

    model.setField('description', 'Bigger data, faster.');
    const record = await model.save();

    expect(record).toEqual(saved);
    const [slug, body, revision] = api.callsOf('updateProfile')[0];
    expect(slug).toBe('cpu-large');
    expect(revision).toBe(3);
    expect((body as ProfileBody).description).toBe('Bigger data, faster.');
    expect((body as ProfileBody).cpu_limit).toBe('8');
    expect(model.state.editor).toBeNull();
    expect(api.callsOf('profiles').length).toBe(listsBefore + 1);
    expect(model.state.profiles?.[1].profile.description).toBe(
      'Bigger data, faster.'
    );
  });

  it('keeps every edit when the platform refuses, with a message per input', async () => {
    await editLarge();
    api.updated = [
      invalidProfile({
        cpu_limit: "'lots' is not a CPU quantity like 2, 0.5 or 500m",
        'tolerations.0.key': 'a toleration needs the key of the taint',
        profile: 'the CPU guarantee is above the CPU limit'
      })
    ];

    model.setField('cpu_limit', 'lots');
    model.setField('description', 'typed with care');
    model.setField('tolerations', [tolerationDraft()]);
    const record = await model.save();

    expect(record).toBeNull();
    const editor = model.state.editor!;
    expect(editor.saving).toBe(false);
    expect(editor.submitted).toBe(true);
    expect(editor.failure?.kind).toBe('invalid');
    expect(editor.draft.cpu_limit).toBe('lots');
    expect(editor.draft.description).toBe('typed with care');
    expect(editor.draft.tolerations).toHaveLength(1);
    // After a save every message shows, touched or not
    expect(ProfilesModel.shownError(editor, 'tolerations.0.key')).toBe(
      'a toleration needs the key of the taint'
    );
    expect(ProfilesModel.shownError(editor, 'profile')).toBe(
      'the CPU guarantee is above the CPU limit'
    );
  });

  it('reports a conflict, keeps the edits until reload, then saves on the new revision', async () => {
    await editLarge();
    const message =
      "eve changed profile 'cpu-large' since you opened it (revision 4, yours 3). Reload it and apply your change again.";
    api.updated = [conflict(message)];

    model.setField('description', 'mine');
    expect(await model.save()).toBeNull();

    let editor = model.state.editor!;
    expect(editor.failure).toMatchObject({ kind: 'conflict', message });
    expect(editor.draft.description).toBe('mine');
    expect(editor.dirty).toBe(true);

    // Reload takes the stored version, theirs
    const theirs = profileRecord(
      { description: 'theirs' },
      { revision: 4, updated_by: 'eve' }
    );
    api.lists = [
      {
        ...profileList(),
        profiles: profileList().profiles.map(r =>
          r.profile.slug === 'cpu-large' ? theirs : r
        )
      }
    ];
    await model.reload();
    editor = model.state.editor!;
    expect(editor.failure).toBeNull();
    expect(editor.base?.revision).toBe(4);
    expect(editor.draft.description).toBe('theirs');
    expect(editor.dirty).toBe(false);

    api.updated = [profileRecord({}, { revision: 5 })];
    model.setField('description', 'mine again');
    await model.save();
    expect(api.callsOf('updateProfile').pop()?.[2]).toBe(4);
  });

  it('keeps the draft when the platform is down during a save', async () => {
    await editLarge();
    api.updated = [unavailable('platform restarting')];

    model.setField('cpu_limit', '6');
    await model.save();

    const editor = model.state.editor!;
    expect(editor.failure).toMatchObject({
      kind: 'unavailable',
      message: 'platform restarting'
    });
    expect(editor.draft.cpu_limit).toBe('6');
  });

  it('creates a profile from sensible defaults', async () => {
    await model.refresh();
    model.create();
    await previewSettled(model);

    const { draft, mode, base } = model.state.editor!;
    expect(mode).toBe('create');
    expect(base).toBeNull();
    // The image of the default profile, placed after the others
    expect(draft.image).toBe('quay.io/jupyter/scipy-notebook:2026-11-16');
    expect(draft.order).toBe('4');
    expect(draft.cpu_guarantee).toBe('0.5');
    expect(draft.allowed_groups).toEqual([]);

    api.created = [profileRecord({ slug: 'tiny' }, { revision: 1 })];
    model.setField('slug', 'tiny');
    model.setField('display_name', 'Tiny');
    await model.save();

    expect(api.callsOf('createProfile')).toHaveLength(1);
    expect(sentBody('createProfile')).toMatchObject({
      slug: 'tiny',
      display_name: 'Tiny',
      order: 4,
      gpu: 0,
      quota: {
        servers_per_user: null,
        gpus_per_user: null,
        servers_per_group: null,
        gpus_per_group: null
      }
    });
    expect(model.state.editor).toBeNull();
  });

  it('deletes at the revision it opened, and stays open on a conflict', async () => {
    await editLarge();
    api.deleted = [
      conflict('adam changed profile cpu-large since you opened it')
    ];

    expect(await model.remove()).toBe(false);
    expect(model.state.editor?.failure).toMatchObject({
      kind: 'conflict',
      message: 'adam changed profile cpu-large since you opened it'
    });

    api.deleted = [undefined];
    expect(await model.remove()).toBe(true);
    expect(api.callsOf('deleteProfile').pop()).toEqual(['cpu-large', 3]);
    expect(model.state.editor).toBeNull();
  });

  it('tells a taken slug as it is, not as somebody else’s change', async () => {
    await editLarge();
    api.deleted = [
      conflict(
        'A profile with slug cpu-large exists; choose another.',
        'profile_exists'
      )
    ];

    expect(await model.remove()).toBe(false);
    expect(model.state.editor?.failure).toMatchObject({
      kind: 'error',
      status: 409,
      reason: 'profile_exists'
    });
  });

  it('offers no reload when the profile is the last one (reloading cannot help)', async () => {
    await editLarge();
    api.deleted = [conflict('This is the last profile', 'last_profile')];

    expect(await model.remove()).toBe(false);
    expect(model.state.editor?.failure).toMatchObject({
      kind: 'error',
      status: 409,
      reason: 'last_profile'
    });
  });

  it('does not save a map with a name given twice', async () => {
    await editLarge();

    model.setField('environment', [
      keyValueRow('MODE', 'a'),
      keyValueRow('MODE', 'b')
    ]);
    expect(await model.save()).toBeNull();

    expect(api.callsOf('updateProfile')).toHaveLength(0);
    expect(model.state.editor?.submitted).toBe(true);
  });

  it('drops a preview answer that arrives after the editor closed', async () => {
    await model.refresh();
    let answer: (value: ReturnType<typeof podPreview>) => void = () =>
      undefined;
    api.previewProfile = () =>
      new Promise(resolve => {
        answer = resolve;
      });
    model.edit(model.state.profiles![1]);
    model.close();
    answer(podPreview());
    await sleep(0);

    expect(model.state.editor).toBeNull();
  });
});

describe('profile drafts', () => {
  it('round-trip a stored profile unchanged', () => {
    const stored = profile({
      gpu: 1,
      node_selector: { 'mlplat/accelerator': 'nvidia' },
      tolerations: [
        {
          key: 'nvidia.com/gpu',
          operator: 'Exists',
          value: null,
          effect: 'NoSchedule'
        },
        { key: 'dedicated', operator: 'Equal', value: 'ml', effect: null }
      ],
      environment: { MODE: 'fast' },
      allowed_groups: ['gpu-users'],
      quota: {
        servers_per_user: 1,
        gpus_per_user: 1,
        servers_per_group: null,
        gpus_per_group: 4
      }
    });

    const { body, problems } = toBody(draftOf(stored));

    expect(body).toEqual(stored);
    expect(problems).toEqual([]);
  });

  it('send what is not a number as typed, for the platform to name', () => {
    const draft = {
      ...draftOf(profile()),
      gpu: '1.5',
      order: ' 7 ',
      quota: {
        servers_per_user: 'two',
        gpus_per_user: '',
        servers_per_group: '3',
        gpus_per_group: ''
      }
    };

    const { body } = toBody(draft);

    expect(body.gpu).toBe('1.5');
    expect(body.order).toBe(7);
    expect(body.quota).toEqual({
      servers_per_user: 'two',
      gpus_per_user: null,
      servers_per_group: 3,
      gpus_per_group: null
    });
  });

  it('skip empty map rows but keep blank tolerations where the messages point', () => {
    const draft = {
      ...draftOf(profile()),
      environment: [keyValueRow('', ''), keyValueRow('A', '1')],
      tolerations: [
        tolerationDraft(),
        tolerationDraft({ key: 'k', operator: 'Exists', value: 'ignored' })
      ]
    };

    const { body } = toBody(draft);

    expect(body.environment).toEqual({ A: '1' });
    expect(body.tolerations).toEqual([
      { key: '', operator: 'Equal', value: null, effect: null },
      { key: 'k', operator: 'Exists', value: null, effect: null }
    ]);
  });

  it('start an empty form from the defaults when there is no profile', () => {
    const draft = newDraft([]);
    expect(draft.image).toBe('');
    expect(draft.order).toBe('0');
    expect(draft.gpu_resource).toBe('nvidia.com/gpu');
  });
});

describe('pod previews', () => {
  it('read the pod the platform describes', () => {
    const { pod } = podPreview({
      nodeSelector: { 'mlplat/accelerator': 'nvidia' },
      tolerations: [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }
      ],
      env: [{ name: 'MODE', value: 'fast' }]
    });

    expect(ProfilesModel.podSpecOf(pod)).toEqual(pod);
  });

  it('read what the document leaves open defensively', () => {
    expect(
      ProfilesModel.podSpecOf({
        image: 42,
        resources: { requests: { cpu: '1', gpu: 1 } },
        tolerations: 'none',
        env: [{ name: 'A' }, { value: 'no name' }]
      })
    ).toEqual({
      image: '',
      resources: { requests: { cpu: '1' }, limits: {} },
      nodeSelector: {},
      tolerations: [],
      env: [{ name: 'A', value: '' }]
    });
  });
});
