import { ServerConnection } from '@jupyterlab/services';

import { draftOf, toBody } from '../../admin/draft';
import { ProfilesClient } from '../../admin/api';
import { failure, FakeServerExtension } from '../api/fakeServer';
import { podPreview, profile, profileList, profileRecord } from './fixtures';

describe('ProfilesClient profile calls', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat';
  let client: ProfilesClient;

  beforeAll(async () => {
    const baseUrl = await server.start();
    client = new ProfilesClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.requests = [];
    server.received = [];
    server.routes.clear();
  });

  const body = () => toBody(draftOf(profile())).body;

  it('lists the profiles with the known groups', async () => {
    server.routes.set(`${base}/profiles`, {
      status: 200,
      body: JSON.stringify(profileList())
    });

    await expect(client.profiles()).resolves.toEqual(profileList());
    expect(server.requests).toEqual([
      { method: 'GET', url: `${base}/profiles`, authorization: 'token tok3n' }
    ]);
  });

  it('POSTs a new profile as the body', async () => {
    server.routes.set(`${base}/profiles`, {
      status: 201,
      body: JSON.stringify(profileRecord({}, { revision: 1 }))
    });

    const created = await client.createProfile(body());

    expect(created.revision).toBe(1);
    expect(server.requests[0].method).toBe('POST');
    expect(JSON.parse(server.received[0].body)).toEqual(body());
  });

  it('PUTs the profile with the revision the edit started from', async () => {
    server.routes.set(`${base}/profiles/cpu-large`, {
      status: 200,
      body: JSON.stringify(profileRecord({}, { revision: 4 }))
    });

    const saved = await client.updateProfile('cpu-large', body(), 3);

    expect(saved.revision).toBe(4);
    expect(server.requests[0]).toMatchObject({
      method: 'PUT',
      url: `${base}/profiles/cpu-large`
    });
    expect(JSON.parse(server.received[0].body)).toEqual({
      profile: body(),
      revision: 3
    });
  });

  it('DELETEs with the revision as a parameter and accepts 204', async () => {
    server.routes.set(`${base}/profiles/cpu-large`, { status: 204, body: '' });

    await expect(client.deleteProfile('cpu-large', 3)).resolves.toBeUndefined();

    expect(server.requests[0]).toMatchObject({
      method: 'DELETE',
      url: `${base}/profiles/cpu-large`
    });
    expect(server.received[0].query.get('revision')).toBe('3');
  });

  it('keeps a slug inside its path segment', async () => {
    server.routes.set(`${base}/profiles/a%2F..%2Fb%3Fx`, {
      status: 204,
      body: ''
    });

    await client.deleteProfile('a/../b?x', 1);

    expect(server.requests[0].url).toBe(`${base}/profiles/a%2F..%2Fb%3Fx`);
  });

  it('POSTs a draft to the preview', async () => {
    server.routes.set(`${base}/profile-preview`, {
      status: 200,
      body: JSON.stringify(podPreview())
    });

    await expect(client.previewProfile(body())).resolves.toEqual(podPreview());
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: `${base}/profile-preview`
    });
    expect(JSON.parse(server.received[0].body)).toEqual(body());
  });

  it('carries the message of each wrong input of a 400', async () => {
    server.routes.set(`${base}/profile-preview`, {
      status: 400,
      body: JSON.stringify({
        message: "field cpu_limit: 'lots' is not a CPU quantity (and 1 more)",
        reason: 'invalid_input',
        fields: {
          cpu_limit: "'lots' is not a CPU quantity like 2, 0.5 or 500m",
          'tolerations.0.key': 'a toleration needs the key',
          ignored: 42
        }
      })
    });

    const error = await failure(client.previewProfile(body()));

    expect(error.status).toBe(400);
    expect(error.serverMessage).toContain('cpu_limit');
    expect(error.fields).toEqual({
      cpu_limit: "'lots' is not a CPU quantity like 2, 0.5 or 500m",
      'tolerations.0.key': 'a toleration needs the key'
    });
  });

  it('keeps the message of a 409 and has no fields for it', async () => {
    server.routes.set(`${base}/profiles/cpu-large`, {
      status: 409,
      body: JSON.stringify({
        message: "eve changed profile 'cpu-large' since you opened it",
        reason: 'conflict'
      })
    });

    const error = await failure(client.updateProfile('cpu-large', body(), 3));

    expect(error.status).toBe(409);
    expect(error.serverMessage).toBe(
      "eve changed profile 'cpu-large' since you opened it"
    );
    expect(error.fields).toBeNull();
  });
});
