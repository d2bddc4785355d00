import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IIdentity } from '../tokens';
import { roleLabel } from './labels';

export interface IIdentityHeaderProps {
  identity: IIdentity;
  trans: TranslationBundle;
}

/**
 * Who is signed in and the roles the platform grants them. The roles are
 * shown exactly as the platform reports them, because they decide which
 * tabs appear and a user who misses one must be able to see why.
 */
export function IdentityHeader(props: IIdentityHeaderProps): JSX.Element {
  const { identity, trans } = props;
  return (
    <section
      className="jp-mlplat-identity"
      aria-label={trans.__('Signed-in user')}
    >
      <div className="jp-mlplat-identity-line">
        <span className="jp-mlplat-identity-label">
          {trans.__('Signed in as')}
        </span>{' '}
        <span className="jp-mlplat-identity-name">{identity.name}</span>
      </div>
      {identity.roles.length > 0 ? (
        <ul className="jp-mlplat-roles" aria-label={trans.__('Roles')}>
          {identity.roles.map(role => (
            <li key={role} className="jp-mlplat-role">
              {roleLabel(role, trans)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="jp-mlplat-roles-empty">
          {trans.__('No roles: ask an administrator for access.')}
        </p>
      )}
    </section>
  );
}
