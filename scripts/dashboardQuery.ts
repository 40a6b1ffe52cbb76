import { DEMO_USER_IDS } from './demoData';

/** What the README's dashboard asks of one user: something from each of the five services. */
const DASHBOARD_FIELDS = `{
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
  }`;

/** The README's dashboard query, for the user `$id` (Grace Hopper of the demo data when omitted). */
export const DASHBOARD_FOR_USER = `query Dashboard($id: ID! = "${DEMO_USER_IDS.grace}") {
  user(id: $id) ${DASHBOARD_FIELDS}
}`;

/** The same for the signed-in user (`me`): each request's answer is that of its own token. */
export const DASHBOARD_FOR_ME = `query Dashboard {
  me ${DASHBOARD_FIELDS}
}`;
