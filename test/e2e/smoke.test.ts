import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ logLevel: 'error' });
});
afterAll(async () => {
  await stack?.stop();
});

test('smoke', async () => {
  const created = await stack.query(`mutation { a: createUser(input: {email: "A@x.io", name: "Ann"}) { id email } b: createUser(input: {email: "b@x.io", name: "Bob"}) { id } }`);
  console.log(JSON.stringify(created.body));
  const a = created.body.data!.a.id, b = created.body.data!.b.id;
  const team = await stack.query(`mutation($o: ID!) { createTeam(input: {name: "T", ownerId: $o}) { id name members { edges { node { role user { name } } } } } }`, { o: a });
  console.log(JSON.stringify(team.body));
  const project = await stack.query(`mutation($o: ID!, $t: ID) { createProject(input: {name: "P", type: GRAPHQL, ownerId: $o, teamId: $t}) { id owner { name } team { name } } }`, { o: a, t: team.body.data!.createTeam.id });
  console.log(JSON.stringify(project.body));
  const v = await stack.query(`mutation($p: ID!, $a: ID!) { commitProjectVersion(input: {projectId: $p, authorId: $a, document: {x: 1}, message: "m"}) { number author { email } } }`, { p: project.body.data!.createProject.id, a });
  console.log(JSON.stringify(v.body));
  const pay = await stack.query(`mutation($a: ID!, $b: ID!) { createPayment(input: {senderId: $a, recipientId: $b, amount: "12.5", currency: "EUR", idempotencyKey: "k1"}) { id amount status sender { name } recipient { name } transactions { status } } }`, { a, b });
  console.log(JSON.stringify(pay.body));
  const prof = await stack.query(`mutation($a: ID!) { updateProfile(userId: $a, input: {bio: "hi"}) { bio preferences user { name } } }`, { a });
  console.log(JSON.stringify(prof.body));
  const dash = await stack.query(`query($a: ID!) { user(id: $a) { name teams { edges { node { name } } } projects { edges { node { name latestVersion { number } team { name } } } } profile { bio } payments { edges { node { amount sender { name } recipient { name } } } } } }`, { a });
  console.log(JSON.stringify(dash.body));
});
