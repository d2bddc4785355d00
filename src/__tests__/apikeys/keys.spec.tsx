import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';

import { PlatformRequestError } from '../../api/request';
import { ApiKeysClient } from '../../apikeys/api';
import { ApiKeysPanel, IssuedSecretHolder } from '../../apikeys/keys';
import {
  IApiKey,
  IApiKeyCreate,
  IApiKeyList,
  IApiKeysAPI,
  IIssuedKey
} from '../../apikeys/types';
import { FakeServerExtension } from '../api/fakeServer';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';

const SECRET = 'mlp_ab12cd34_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';

function apiKey(overrides: Partial<IApiKey> = {}): IApiKey {
  return {
    id: 1,
    prefix: 'mlp_ab12cd34',
    owner: 'alice',
    name: 'nightly',
    scopes: { deployments: ['churn'], catalog_read: false },
    created_at: '2027-03-01T09:00:00Z',
    expires_at: '2027-05-30T09:00:00Z',
    revoked_at: null,
    last_used_at: null,
    last_used_from: null,
    rate_limit: 10,
    replaced_by: null,
    state: 'active',
    ...overrides
  };
}

/** The server extension as the panel sees it, answering from a list. */
class ScriptedKeys implements IApiKeysAPI {
  keys: IApiKey[] = [];
  created: IApiKeyCreate[] = [];
  revoked: number[] = [];
  rotated: [number, number][] = [];
  listedAll: boolean[] = [];
  refuseCreate: PlatformRequestError | null = null;

  async list(all: boolean): Promise<IApiKeyList> {
    this.listedAll.push(all);
    return { keys: [...this.keys] };
  }

  async create(body: IApiKeyCreate): Promise<IIssuedKey> {
    if (this.refuseCreate) {
      throw this.refuseCreate;
    }
    this.created.push(body);
    const key = apiKey({
      id: this.keys.length + 1,
      name: body.name,
      scopes: {
        deployments: body.deployments ?? [],
        catalog_read: body.catalog_read
      }
    });
    this.keys = [key, ...this.keys];
    return { key, secret: SECRET };
  }

  async revoke(id: number): Promise<IApiKey> {
    this.revoked.push(id);
    this.keys = this.keys.map(key =>
      key.id === id
        ? { ...key, state: 'revoked', revoked_at: '2027-03-02T09:00:00Z' }
        : key
    );
    return this.keys.find(key => key.id === id)!;
  }

  async rotate(id: number, overlapSeconds: number): Promise<IIssuedKey> {
    this.rotated.push([id, overlapSeconds]);
    const key = apiKey({ id: 99, prefix: 'mlp_zz99zz99' });
    this.keys = [
      key,
      ...this.keys.map(old =>
        old.id === id
          ? { ...old, state: 'rotating' as const, replaced_by: 99 }
          : old
      )
    ];
    return { key, secret: 'mlp_zz99zz99_' + 'n'.repeat(43) };
  }
}

function setup(
  api = new ScriptedKeys(),
  trans: TranslationBundle = english,
  extra: Partial<React.ComponentProps<typeof ApiKeysPanel>> = {}
) {
  const copied: string[] = [];
  const asked: string[] = [];
  const view = render(
    <ApiKeysPanel
      api={api}
      issued={new IssuedSecretHolder()}
      trans={trans}
      deployments={['churn', 'fraud']}
      copy={text => copied.push(text)}
      confirm={async title => {
        asked.push(title);
        return true;
      }}
      now={() => new Date('2027-03-01T09:00:00Z')}
      {...extra}
    />
  );
  return { api, view, copied, asked };
}

describe('ApiKeysPanel', () => {
  it('creates a key with its scopes and expiry, shows the secret once with a warning', async () => {
    const { api, copied } = setup();
    await screen.findByText('No API keys yet.');

    fireEvent.change(screen.getByLabelText('Name'), {
      target: { value: 'nightly' }
    });
    fireEvent.click(screen.getByLabelText('Call the deployment fraud'));
    fireEvent.click(screen.getByLabelText('Read the catalog'));
    fireEvent.change(screen.getByDisplayValue('90 days'), {
      target: { value: '30' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));

    const shown = await screen.findByRole('region', { name: 'New API key' });
    expect(api.created).toEqual([
      {
        name: 'nightly',
        deployments: ['fraud'],
        catalog_read: true,
        expires_at: '2027-03-31T09:00:00.000Z',
        rate_limit: null
      }
    ]);
    expect(within(shown).getByText(SECRET)).toBeTruthy();
    expect(within(shown).getByText(/shown only this once/)).toBeTruthy();
    fireEvent.click(
      within(shown).getByRole('button', { name: 'Copy the key' })
    );
    expect(copied).toEqual([SECRET]);

    // the list names the key by its prefix; the secret leaves with the note
    const list = screen.getByRole('list', { name: 'API keys' });
    expect(within(list).getByText('mlp_ab12cd34')).toBeTruthy();
    expect(list.textContent).not.toContain(SECRET);
    fireEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText(SECRET)).toBeNull();
  });

  it('keeps a new secret on screen when the panel is drawn anew, until it is put away', async () => {
    // the admin console's sections and a tab moved to the main area draw it anew
    const issued = new IssuedSecretHolder();
    const api = new ScriptedKeys();
    const first = setup(api, english, { issued });
    fireEvent.change(await screen.findByLabelText('Name'), {
      target: { value: 'nightly' }
    });
    fireEvent.click(screen.getByLabelText('Read the catalog'));
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByText(SECRET);
    first.view.unmount();

    setup(api, english, { issued });
    const again = await screen.findByRole('region', { name: 'New API key' });
    expect(within(again).getByText(SECRET)).toBeTruthy();
    // a second panel drawn meanwhile (sidebar and main area) shows it too …
    const second = setup(api, english, { issued });
    expect(within(second.view.container).getByText(SECRET)).toBeTruthy();
    // … and putting it away in one puts it away in both
    fireEvent.click(
      within(second.view.container).getByRole('button', {
        name: 'I have copied it'
      })
    );
    expect(screen.queryByText(SECRET)).toBeNull();
    expect(issued.value).toBeNull();
  });

  it('puts a new secret away when its key is revoked', async () => {
    const issued = new IssuedSecretHolder();
    const api = new ScriptedKeys();
    setup(api, english, { issued });
    fireEvent.change(await screen.findByLabelText('Name'), {
      target: { value: 'nightly' }
    });
    fireEvent.click(screen.getByLabelText('Read the catalog'));
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByText(SECRET);
    await act(async () => {
      fireEvent.click(await screen.findByRole('button', { name: 'Revoke…' }));
    });
    await waitFor(() => expect(screen.queryByText(SECRET)).toBeNull());
    expect(issued.value).toBeNull();
  });

  it('revokes only after the confirmation', async () => {
    const api = new ScriptedKeys();
    api.keys = [apiKey()];
    const { asked } = setup(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke…' }));
    await waitFor(() => expect(api.revoked).toEqual([1]));
    expect(asked).toEqual(['Revoke API key mlp_ab12cd34?']);
    await screen.findByText('revoked');
    expect(screen.queryByRole('button', { name: 'Revoke…' })).toBeNull();
  });

  it('keeps the key when the confirmation is declined', async () => {
    const api = new ScriptedKeys();
    api.keys = [apiKey()];
    setup(api, english, { confirm: async () => false });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke…' }));
    await act(async () => undefined);
    expect(api.revoked).toEqual([]);
  });

  it('rotates with the overlap chosen and shows the new secret', async () => {
    const api = new ScriptedKeys();
    api.keys = [apiKey()];
    setup(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Rotate…' }));
    fireEvent.change(screen.getByDisplayValue('one hour'), {
      target: { value: '86400' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    await screen.findByText('mlp_zz99zz99_' + 'n'.repeat(43));
    expect(api.rotated).toEqual([[1, 86400]]);
    expect(await screen.findByText('rotated, still working')).toBeTruthy();
  });

  it('says why the platform refused, in Russian', async () => {
    const api = new ScriptedKeys();
    api.refuseCreate = new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage: 'You already have 10 active API keys; revoke one first.',
      reason: 'key_limit_reached',
      params: { limit: 10 }
    });
    setup(api, russianBundle());
    fireEvent.change(await screen.findByLabelText('Имя'), {
      target: { value: 'one more' }
    });
    // a key that may do nothing is not offered
    const create = screen.getByRole('button', { name: 'Создать ключ' });
    expect(create.hasAttribute('disabled')).toBe(true);
    expect(
      screen.getByText('Сначала выберите, что будет разрешено ключу.')
    ).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Читать каталог'));
    expect(create.hasAttribute('disabled')).toBe(false);
    fireEvent.click(create);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Не удалось создать ключ');
    expect(alert.textContent).toContain(
      'У вас уже 10 действующих API-ключей: сначала отзовите ненужный.'
    );
  });

  it('lists everybody’s keys for an admin who asks', async () => {
    const api = new ScriptedKeys();
    api.keys = [apiKey({ owner: 'bob' })];
    setup(api, english, { admin: true });
    fireEvent.click(await screen.findByLabelText('Show everyone’s keys'));
    await screen.findByText(/Owner: bob\./);
    expect(api.listedAll).toEqual([false, true]);
  });
});

describe('ApiKeysClient', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat';
  let client: ApiKeysClient;

  beforeAll(async () => {
    const baseUrl = await server.start();
    client = new ApiKeysClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
  });

  afterAll(() => server.stop());

  it('calls the sidebar routes with the id as one segment', async () => {
    server.routes.set(`${base}/apikeys`, {
      status: 200,
      body: JSON.stringify({ keys: [] })
    });
    server.routes.set(`${base}/apikeys/7/rotate`, {
      status: 201,
      body: JSON.stringify({ key: apiKey({ id: 8 }), secret: SECRET })
    });
    server.routes.set(`${base}/apikeys/7`, {
      status: 200,
      body: JSON.stringify(apiKey({ id: 7, state: 'revoked' }))
    });
    await client.list(true);
    expect(server.received[0].query.get('all')).toBe('true');
    expect((await client.rotate(7, 3600)).secret).toBe(SECRET);
    expect(JSON.parse(server.received[1].body)).toEqual({
      overlap_seconds: 3600
    });
    expect((await client.revoke(7)).state).toBe('revoked');
    expect(server.requests.map(r => r.method)).toEqual([
      'GET',
      'POST',
      'DELETE'
    ]);
  });

  it('turns a refusal into a typed error with its reason', async () => {
    server.routes.set(`${base}/apikeys`, {
      status: 400,
      body: JSON.stringify({
        message: 'expires_at must be in the future',
        reason: 'key_expiry_invalid',
        params: { field: 'expires_at', rule: 'past', limit: 365 }
      })
    });
    const refused = client.create({
      name: 'x',
      catalog_read: false,
      expires_at: null,
      rate_limit: null
    });
    await expect(refused).rejects.toMatchObject({
      status: 400,
      reason: 'key_expiry_invalid'
    });
  });
});
