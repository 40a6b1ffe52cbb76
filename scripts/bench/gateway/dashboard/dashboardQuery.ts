/**
 * The README's dashboard (everything from all five services in one request), for the signed-in
 * user: through `me`, so that each request's answer is that of its own token.
 */
export const DASHBOARD_QUERY = `query Dashboard {
  me {
    name
    email
    teams { edges { node { name memberCount } } }
    projects {
      edges { node { name team { name } latestVersion { number message author { name } } } }
    }
    profile { bio phone preferences }
    sent: payments(direction: SENT) {
      edges { node { amount currency status recipient { name } } }
    }
    received: payments(direction: RECEIVED) {
      edges { node { amount currency status sender { name } } }
    }
  }
}`;
