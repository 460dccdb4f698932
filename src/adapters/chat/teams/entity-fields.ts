/**
 * botbuilder's connector serializes an activity's entities through a model that declares only `type`, `text`
 * and `mentioned`, so Teams entities lose their other fields on the way out (a `streaminfo` entity arrives as
 * `{type: "streaminfo"}`). Teams' own clients read stream state from the entity, so databot tells the serializer
 * to keep an entity's remaining fields as they are. Applied once, before the first activity is sent.
 */
import { ConnectorMappers } from "botframework-connector/lib/connectorApi/connectorClient";

let applied = false;

export function keepEntityFields(): void {
  if (applied) return;
  const entity = ConnectorMappers.Entity as { type: { additionalProperties?: unknown } };
  entity.type.additionalProperties ??= { type: { name: "Object" } };
  applied = true;
}
