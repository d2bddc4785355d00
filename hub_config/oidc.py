# Login through the organisation's OpenID Connect provider, shared by both hubs (load_subconfig):
# the provider's groups claim becomes hub groups, which give the roles (roles.py). People in none
# of the groups get JupyterHub's "not authorized" page. Set MLPLAT_OIDC_AUTHORIZE_URL,
# MLPLAT_OIDC_TOKEN_URL, MLPLAT_OIDC_USERDATA_URL, MLPLAT_OIDC_CLIENT_ID,
# MLPLAT_OIDC_CLIENT_SECRET, MLPLAT_PUBLIC_URL and JUPYTERHUB_CRYPT_KEY (auth state holds the
# groups).
import os

from jupyterlab_mlplat.hub.groups import RoleGroups

c = get_config()
env = os.environ
groups = RoleGroups.from_environment()

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.authorize_url = env["MLPLAT_OIDC_AUTHORIZE_URL"]
c.GenericOAuthenticator.token_url = env["MLPLAT_OIDC_TOKEN_URL"]
c.GenericOAuthenticator.userdata_url = env["MLPLAT_OIDC_USERDATA_URL"]
c.GenericOAuthenticator.client_id = env["MLPLAT_OIDC_CLIENT_ID"]
c.GenericOAuthenticator.client_secret = env["MLPLAT_OIDC_CLIENT_SECRET"]
c.GenericOAuthenticator.oauth_callback_url = f"{env['MLPLAT_PUBLIC_URL']}/hub/oauth_callback"
c.GenericOAuthenticator.scope = ["openid", "profile", "email", "groups"]
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.enable_pkce = True
c.GenericOAuthenticator.login_service = env.get("MLPLAT_OIDC_NAME", "your organisation")
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.groups"
c.GenericOAuthenticator.allowed_groups = set(groups.all)
c.GenericOAuthenticator.admin_groups = set(groups.admins)
c.GenericOAuthenticator.enable_auth_state = True
