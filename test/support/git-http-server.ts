// Tests serve fixture repositories with the same `git http-backend` server embedded mode uses.
export * from '../../shared/adapters/embedded/git-http-server.ts';
