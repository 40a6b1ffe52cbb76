import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

/**
 * The one place that decides what travels from a client request to the subgraphs: only the
 * headers in `FORWARDED_HEADERS`, never cookies or anything else the client sent.
 */
export const FORWARDED_HEADERS = ['authorization', 'x-request-id'] as const;

export class AuthForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = (context as Partial<GatewayContext>).forwardedHeaders;
    if (!headers || !request.http) return;
    for (const [name, value] of Object.entries(headers)) request.http.headers.set(name, value);
  }
}
