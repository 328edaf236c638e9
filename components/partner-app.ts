import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";

/** Arguments of a {@link PartnerApp}. */
export interface PartnerAppArgs {
  /** Name customers see in the Graph Data Connect admin center when they consent. */
  displayName: pulumi.Input<string>;
  /** When the client secret becomes valid (ISO 8601); omitted = when it is created. */
  secretStartDate?: pulumi.Input<string>;
  /** When the client secret expires (ISO 8601), a fixed date from config. */
  secretEndDate: pulumi.Input<string>;
}

/** Entra application settings: multi-tenant, as the seed requires ("set the application to be multi-tenant"). */
export function applicationArgs(args: PartnerAppArgs): azuread.ApplicationArgs {
  return { displayName: args.displayName, signInAudience: "AzureADMultipleOrgs" };
}

/**
 * The partner's multi-tenant Entra ID application, its service principal (the identity that
 * receives Key Vault and storage roles) and a client secret with a fixed end date. The secret text
 * leaves this component only as a Pulumi secret.
 */
export class PartnerApp extends pulumi.ComponentResource {
  /** Application (client) id: goes on the allow-list e-mail and into the consent link. */
  public readonly clientId: pulumi.Output<string>;
  /** Object id of the application (the `/applications/<id>` form the password refers to). */
  public readonly applicationObjectId: pulumi.Output<string>;
  /** Object id of the service principal: the principal of every role assignment. */
  public readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The client secret, a Pulumi secret. */
  public readonly clientSecret: pulumi.Output<string>;
  /** The secret's end date as Entra ID stored it. */
  public readonly clientSecretEndDate: pulumi.Output<string>;

  /** Declares the application, its service principal and one client secret. */
  constructor(name: string, args: PartnerAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("viva-partner:app:PartnerApp", name, {}, opts);
    const app = new azuread.Application(`${name}-app`, applicationArgs(args), { parent: this });
    const sp = new azuread.ServicePrincipal(`${name}-sp`, { clientId: app.clientId }, { parent: this });
    const password = new azuread.ApplicationPassword(
      `${name}-secret`,
      {
        applicationId: app.id,
        displayName: "viva-partner data factories",
        startDate: args.secretStartDate,
        endDate: args.secretEndDate,
      },
      { parent: this },
    );
    this.clientId = app.clientId;
    this.applicationObjectId = app.objectId;
    this.servicePrincipalObjectId = sp.objectId;
    this.clientSecret = pulumi.secret(password.value);
    this.clientSecretEndDate = password.endDate;
    this.registerOutputs({
      clientId: this.clientId,
      applicationObjectId: this.applicationObjectId,
      servicePrincipalObjectId: this.servicePrincipalObjectId,
      clientSecret: this.clientSecret,
      clientSecretEndDate: this.clientSecretEndDate,
    });
  }
}
