// The app's addresses. The server answers index.html for each of them (src/argon/app/web_client.cpp):
//   /                                  sign in, or the first space
//   /app/{spaceId}[/{channelId}]       a space, a channel
//   /invite/{code}                     an invite: join after signing in
//   /developers                        the developer console (bot applications; operator)
export type Route =
  | { kind: 'home' }
  | { kind: 'space'; spaceId: string; channelId?: string }
  | { kind: 'invite'; code: string }
  | { kind: 'developers' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'invite' && parts.length === 2) return { kind: 'invite', code: parts[1] };
  if (parts[0] === 'developers' && parts.length === 1) return { kind: 'developers' };
  if (parts[0] === 'app' && parts.length >= 2) return { kind: 'space', spaceId: parts[1], channelId: parts[2] };
  return { kind: 'home' };
}

export function routePath(route: Route): string {
  switch (route.kind) {
    case 'home': return '/';
    case 'developers': return '/developers';
    case 'invite': return `/invite/${encodeURIComponent(route.code)}`;
    case 'space':
      return `/app/${encodeURIComponent(route.spaceId)}` + (route.channelId ? `/${encodeURIComponent(route.channelId)}` : '');
  }
}
