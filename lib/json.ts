/**
 * A JSON value as the services' domain types hold it (schema documents, payment metadata, profile
 * preferences): what JSON.parse can give, so no store's own JSON type leaks into resolvers.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, for the fields that the API accepts only as an object. */
export type JsonObject = { [key: string]: JsonValue };
