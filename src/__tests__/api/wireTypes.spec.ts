import type { components as PlatformDocument } from '../../api/generated/platform';
import type { components as SidebarDocument } from '../../api/generated/sidebar';
import type { IErrorBody } from '../../api/request';
import type {
  IPodPreview,
  IProfile,
  IProfileList,
  IProfileQuota,
  IProfileRecord,
  IToleration
} from '../../admin/types';
import type {
  IExperiment,
  IMlflowConfig,
  IRunComparison,
  IRunDetail,
  IRunPage,
  IRunRow
} from '../../experiments/types';
import type {
  IGitBranch,
  IGitCommitResult,
  IGitLabAccount,
  IGitStatus,
  IMergeRequest,
  IMergeRequestCreate,
  IPublishResult
} from '../../git/types';
import type { IHealth, IIdentity, Role } from '../../shell/types';

/*
 * The wire types each tab reads are the schemas of the OpenAPI documents
 * the Python routes export, generated into `src/api/generated/`. Each check
 * below compiles only while the two are the same type, so a field renamed,
 * added or retyped on the server fails this test (jest type-checks it) as
 * well as `tsc` wherever the UI reads the old name.
 */

type Sidebar = SidebarDocument['schemas'];
type Platform = PlatformDocument['schemas'];

/** `true` exactly when A and B are the same type (not merely compatible). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2
    ? true
    : false;

/** Compiles only when `A` and `B` are the same type. */
function same<A, B>(proof: Equals<A, B>): boolean {
  return proof;
}

describe('wire types follow the OpenAPI documents', () => {
  it('shell: who is signed in and the health line', () => {
    expect(same<IIdentity, Sidebar['Me']>(true)).toBe(true);
    expect(same<Role, Sidebar['Role']>(true)).toBe(true);
    expect(same<IHealth, Sidebar['SidebarHealth']>(true)).toBe(true);
  });

  it('experiments: runs, experiments and comparisons', () => {
    const _run: Equals<IRunRow, Sidebar['RunRowBody']> = true;
    expect(_run).toBe(true);
    expect(same<IRunDetail, Sidebar['RunDetailBody']>(true)).toBe(true);
    expect(same<IRunPage, Sidebar['RunsPageBody']>(true)).toBe(true);
    expect(same<IExperiment, Sidebar['ExperimentBody']>(true)).toBe(true);
    expect(same<IMlflowConfig, Sidebar['MlflowConfig']>(true)).toBe(true);
    expect(same<IRunComparison, Sidebar['RunComparison']>(true)).toBe(true);
    // A run's page shows a detail where the table shows a row.
    const detailIsRow: IRunRow = {} as IRunDetail;
    expect(detailIsRow).toBeDefined();
  });

  it('git: the status every action answers with', () => {
    expect(same<IGitStatus, Sidebar['RepoStatusBody']>(true)).toBe(true);
    expect(same<IGitCommitResult, Sidebar['CommitResultBody']>(true)).toBe(
      true
    );
    expect(same<IGitCommitResult['status'], IGitStatus>(true)).toBe(true);
    expect(same<IPublishResult['status'], IGitStatus>(true)).toBe(true);
    expect(same<IGitBranch, Sidebar['BranchEntry']>(true)).toBe(true);
    expect(same<IGitLabAccount, Sidebar['GitLabAccount']>(true)).toBe(true);
    expect(same<IMergeRequest, Sidebar['MergeRequestBody']>(true)).toBe(true);
    expect(
      same<
        keyof IMergeRequestCreate | 'path',
        keyof Sidebar['NewMergeRequestBody']
      >(true)
    ).toBe(true);
  });

  it('admin: profiles, with every field a stored one has', () => {
    expect(same<IProfile, Required<Sidebar['Profile']>>(true)).toBe(true);
    expect(same<keyof IProfile, keyof Sidebar['Profile']>(true)).toBe(true);
    expect(
      same<
        Omit<IProfileRecord, 'profile'>,
        Omit<Sidebar['ProfileRecord'], 'profile'>
      >(true)
    ).toBe(true);
    expect(same<IProfileList['known_groups'], string[]>(true)).toBe(true);
    expect(same<IToleration, Sidebar['Toleration']>(true)).toBe(true);
    expect(same<IProfileQuota, Sidebar['Quota']>(true)).toBe(true);
    expect(same<IPodPreview, Sidebar['PodPreview']>(true)).toBe(true);
  });

  it('errors: the body every failure carries', () => {
    expect(same<keyof IErrorBody, keyof Sidebar['ErrorBody']>(true)).toBe(true);
  });

  it('what the server extension relays from the platform keeps its shape', () => {
    expect(same<Sidebar['Me'], Platform['Me']>(true)).toBe(true);
    expect(
      same<Sidebar['GitLabAccount'], Platform['GitLabAccount']>(true)
    ).toBe(true);
    expect(
      same<Sidebar['MergeRequestBody'], Platform['MergeRequestBody']>(true)
    ).toBe(true);
    expect(
      same<Sidebar['LatestPipeline'], Platform['LatestPipeline']>(true)
    ).toBe(true);
    expect(same<Sidebar['ProjectBody'], Platform['ProjectBody']>(true)).toBe(
      true
    );
    expect(same<Sidebar['ProfileList'], Platform['ProfileList']>(true)).toBe(
      true
    );
    expect(same<Sidebar['PodPreview'], Platform['PodPreview']>(true)).toBe(
      true
    );
  });
});
