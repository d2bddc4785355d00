import {
  IProfile,
  IProfileQuota,
  IProfileRecord,
  ProfileBody,
  TolerationEffect,
  TolerationOperator
} from './types';

/*
 * What the profile form holds while someone types. Inputs keep their text
 * as typed (a "lots" in the CPU limit, a "1.5" in the GPU count), so a
 * rejected save never loses it; `toBody` turns it into the JSON the platform
 * validates.
 */

/** One line of a map the form edits as rows (node labels, environment). */
export interface IKeyValueRow {
  /** Stable across edits, so React keeps focus in the right row. */
  id: number;
  key: string;
  value: string;
}

export interface ITolerationDraft {
  id: number;
  key: string;
  /** One of `TOLERATION_OPERATORS`, or what a stored profile says. */
  operator: string;
  value: string;
  /** One of `TOLERATION_EFFECTS`; '' tolerates every effect. */
  effect: string;
}

export type QuotaDraft = { [K in keyof IProfileQuota]: string };

export interface IProfileDraft {
  slug: string;
  display_name: string;
  description: string;
  default: boolean;
  image: string;
  cpu_guarantee: string;
  cpu_limit: string;
  mem_guarantee: string;
  mem_limit: string;
  gpu: string;
  gpu_resource: string;
  node_selector: IKeyValueRow[];
  tolerations: ITolerationDraft[];
  environment: IKeyValueRow[];
  allowed_groups: string[];
  quota: QuotaDraft;
  order: string;
}

export type DraftField = keyof IProfileDraft;

/** The quota keys in the order the form shows them. */
export const QUOTA_KEYS: readonly (keyof IProfileQuota)[] = [
  'servers_per_user',
  'gpus_per_user',
  'servers_per_group',
  'gpus_per_group'
];

export const TOLERATION_OPERATORS: readonly TolerationOperator[] = [
  'Equal',
  'Exists'
];

export const TOLERATION_EFFECTS: readonly TolerationEffect[] = [
  'NoSchedule',
  'PreferNoSchedule',
  'NoExecute'
];

let nextRowId = 1;

/** A fresh id for a new row. */
export function rowId(): number {
  return nextRowId++;
}

export function keyValueRow(key = '', value = ''): IKeyValueRow {
  return { id: rowId(), key, value };
}

export function tolerationDraft(
  overrides: Partial<Omit<ITolerationDraft, 'id'>> = {}
): ITolerationDraft {
  return {
    id: rowId(),
    key: '',
    operator: 'Equal',
    value: '',
    effect: '',
    ...overrides
  };
}

/** The form's values for a stored profile. */
export function draftOf(profile: IProfile): IProfileDraft {
  const rows = (map: { [key: string]: string }) =>
    Object.entries(map ?? {}).map(([key, value]) => keyValueRow(key, value));
  const quota = profile.quota ?? ({} as Partial<IProfileQuota>);
  return {
    slug: profile.slug,
    display_name: profile.display_name,
    description: profile.description ?? '',
    default: !!profile.default,
    image: profile.image,
    cpu_guarantee: profile.cpu_guarantee,
    cpu_limit: profile.cpu_limit,
    mem_guarantee: profile.mem_guarantee,
    mem_limit: profile.mem_limit,
    gpu: String(profile.gpu ?? 0),
    gpu_resource: profile.gpu_resource,
    node_selector: rows(profile.node_selector),
    tolerations: (profile.tolerations ?? []).map(t =>
      tolerationDraft({
        key: t.key,
        operator: t.operator,
        value: t.value ?? '',
        effect: t.effect ?? ''
      })
    ),
    environment: rows(profile.environment),
    allowed_groups: [...(profile.allowed_groups ?? [])],
    quota: {
      servers_per_user: numberText(quota.servers_per_user),
      gpus_per_user: numberText(quota.gpus_per_user),
      servers_per_group: numberText(quota.servers_per_group),
      gpus_per_group: numberText(quota.gpus_per_group)
    },
    order: String(profile.order ?? 0)
  };
}

/**
 * The form of a new profile: the platform's own defaults for resources, the
 * image of the current default profile (the one people start most), and a
 * place after the existing profiles on the spawn page.
 */
export function newDraft(existing: readonly IProfileRecord[]): IProfileDraft {
  const fallback =
    existing.find(r => r.profile.default)?.profile ?? existing[0]?.profile;
  const order = existing.reduce(
    (max, r) => Math.max(max, (r.profile.order ?? 0) + 1),
    0
  );
  return {
    slug: '',
    display_name: '',
    description: '',
    default: false,
    image: fallback?.image ?? '',
    cpu_guarantee: '0.5',
    cpu_limit: '1',
    mem_guarantee: '1Gi',
    mem_limit: '2Gi',
    gpu: '0',
    gpu_resource: fallback?.gpu_resource ?? 'nvidia.com/gpu',
    node_selector: [],
    tolerations: [],
    environment: [],
    allowed_groups: [],
    quota: {
      servers_per_user: '',
      gpus_per_user: '',
      servers_per_group: '',
      gpus_per_group: ''
    },
    order: String(order)
  };
}

/**
 * Something the browser can tell before asking the platform: a name given
 * twice in a map would silently collapse into one entry of the JSON object.
 */
export interface IDraftProblem {
  /** The form section, as the platform names it (`environment`, `node_selector`). */
  path: 'environment' | 'node_selector';
  kind: 'duplicate';
  key: string;
}

/** The JSON a save or a preview sends, and what stops it being faithful. */
export function toBody(draft: IProfileDraft): {
  body: ProfileBody;
  problems: IDraftProblem[];
} {
  const problems: IDraftProblem[] = [];
  const map = (
    path: IDraftProblem['path'],
    rows: IKeyValueRow[]
  ): { [key: string]: string } => {
    const result: { [key: string]: string } = {};
    for (const row of rows) {
      const key = row.key.trim();
      // A row left empty is a row not used, not an entry with no name.
      if (key === '' && row.value.trim() === '') {
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        if (!problems.some(p => p.path === path && p.key === key)) {
          problems.push({ path, kind: 'duplicate', key });
        }
      }
      result[key] = row.value;
    }
    return result;
  };
  const quota = {} as ProfileBody['quota'];
  for (const key of QUOTA_KEYS) {
    const text = draft.quota[key].trim();
    quota[key] = text === '' ? null : wholeNumber(text);
  }
  const body: ProfileBody = {
    slug: draft.slug.trim(),
    display_name: draft.display_name.trim(),
    description: draft.description,
    default: draft.default,
    image: draft.image.trim(),
    cpu_guarantee: draft.cpu_guarantee.trim(),
    cpu_limit: draft.cpu_limit.trim(),
    mem_guarantee: draft.mem_guarantee.trim(),
    mem_limit: draft.mem_limit.trim(),
    gpu: wholeNumber(draft.gpu.trim()),
    gpu_resource: draft.gpu_resource.trim(),
    node_selector: map('node_selector', draft.node_selector),
    // Every row is sent, blank ones too: the platform's messages name
    // tolerations by position, which must match the rows on screen.
    // No value (or no effect) travels as null, as a stored profile has it.
    tolerations: draft.tolerations.map(t => ({
      key: t.key.trim(),
      // as chosen (a stored profile may hold another): the platform names a wrong one
      operator: t.operator as TolerationOperator,
      value:
        t.operator === 'Exists' || t.value.trim() === ''
          ? null
          : t.value.trim(),
      effect: (t.effect || null) as TolerationEffect | null
    })),
    environment: map('environment', draft.environment),
    allowed_groups: [...draft.allowed_groups],
    quota,
    order: wholeNumber(draft.order.trim())
  };
  return { body, problems };
}

/** A number when the text is a whole number, else the text for the platform to judge. */
function wholeNumber(text: string): number | string {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

function numberText(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The form section a platform message belongs to: `tolerations.0.key` → `tolerations`. */
export function sectionOf(path: string): string {
  return path.split('.')[0];
}
