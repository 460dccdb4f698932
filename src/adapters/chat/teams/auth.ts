/**
 * Bot Framework authentication: validating the JWT on every request Teams sends, and the bot's own token for
 * replies and for pasted images. With no app id (local mode only) requests are not validated and replies carry
 * no token.
 */
import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
} from "botbuilder";
import {
  AppCredentials,
  AuthenticationConstants,
  ServiceClientCredentialsFactory,
  type AuthenticatorResult,
  type BotFrameworkAuthentication,
} from "botframework-connector";
import type { TeamsConfig } from "../../../config";
import { trustedCas } from "../../outbound/trusted-cas";
import { clientCredentialsTokens, type TokenProvider } from "./token-provider";

const BOT_FRAMEWORK_SCOPE = `${AuthenticationConstants.ToChannelFromBotOAuthScope}/.default`;

export interface BotAuth {
  /** Validates requests and creates connector clients; what the CloudAdapter runs on. */
  authentication: BotFrameworkAuthentication;
  /** The bot's Bot Framework token, or undefined when authentication is off (local mode without app id). */
  botToken(): Promise<string | undefined>;
  /** The app id replies are sent as ("" when authentication is off). */
  appId: string;
}

/** Builds the authentication for the configured app registration. */
export function createBotAuth(config: TeamsConfig): BotAuth {
  const { appId, appType } = config;
  const tenant =
    appType === "MultiTenant" ? AuthenticationConstants.DefaultChannelAuthTenant : config.tenantId!;
  let credentialsFactory: ServiceClientCredentialsFactory;
  let botToken: () => Promise<string | undefined>;
  if (!appId) {
    credentialsFactory = new ConfigurationServiceClientCredentialFactory({});
    botToken = async () => undefined;
  } else if (appType === "UserAssignedMsi") {
    const factory = new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: appId,
      MicrosoftAppType: appType,
      MicrosoftAppTenantId: config.tenantId,
    });
    credentialsFactory = factory;
    botToken = async () => {
      const credentials = (await factory.createCredentials(
        appId,
        AuthenticationConstants.ToChannelFromBotOAuthScope,
        AuthenticationConstants.ToChannelFromBotLoginUrl,
        true,
      )) as unknown as { getToken(): Promise<string> };
      return credentials.getToken();
    };
  } else {
    const provider = clientCredentialsTokens({
      authorityHost: config.authorityHost,
      defaultTenant: tenant,
      clientId: appId,
      clientSecret: config.appPassword!,
      scope: BOT_FRAMEWORK_SCOPE,
      ca: config.authorityCaFile ? trustedCas(config.authorityCaFile, "TEAMS_AUTHORITY_CA_FILE") : undefined,
    });
    credentialsFactory = new ClientSecretCredentialsFactory(appId, provider);
    botToken = () => provider.getToken();
  }

  // Every endpoint is given explicitly (the public cloud's, except the overridable ones), so the signing keys
  // and the token endpoint can be pointed at local fakes without switching to another cloud's settings.
  const authentication = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: appId,
      MicrosoftAppTenantId: config.tenantId,
      ValidateAuthority: true,
      ToChannelFromBotLoginUrl: `${config.authorityHost}/${tenant}`,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      ToBotFromChannelOpenIdMetadataUrl: config.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
    },
    credentialsFactory,
  );
  return { authentication, botToken, appId };
}

/** Credentials for a client-secret app registration, backed by databot's token provider. */
class ClientSecretCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(
    private readonly appId: string,
    private readonly provider: TokenProvider,
  ) {
    super();
  }

  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }

  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }

  async createCredentials(appId: string): Promise<AppCredentials> {
    if (appId !== this.appId) throw new Error("Invalid appId.");
    return new ProviderAppCredentials(appId, this.provider);
  }
}

/** Signs connector requests with a token from a {@link TokenProvider}. */
class ProviderAppCredentials extends AppCredentials {
  constructor(
    appId: string,
    private readonly provider: TokenProvider,
  ) {
    super(appId, undefined, AuthenticationConstants.ToChannelFromBotOAuthScope);
  }

  override async getToken(): Promise<string> {
    return this.provider.getToken();
  }

  protected override async refreshToken(): Promise<AuthenticatorResult> {
    // The provider caches and renews; this path is only reached through AppCredentials' own cache.
    return { accessToken: await this.provider.getToken(), expiresOn: new Date(Date.now() + 60_000) };
  }
}
