"""Staff: the desk's people in the Cognito user pool (agents, supervisors, admins) - who they are, which
groups they are in, whether they may sign in - and the identity the desk API's JWT authorizer hands over."""
