import type { AdminUserRow } from '../profile/index.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';

/**
 * The people of the instance for admins: name, role, verification, suspension, creation date.
 * Deliberately nothing else: no address, home area or identity note.
 */
export function UsersPage({ ctx, users, email, older, notice }: { ctx: PageContext; users: AdminUserRow[]; email: string; older: string | undefined; notice?: string | undefined }) {
  const { t, formatDate } = ctx.i18n;
  return (
    <section aria-labelledby="users-title">
      <p>
        <a href="/admin">{t('admin.users.back')}</a>
      </p>
      <h1 id="users-title">{t('admin.users.title')}</h1>
      {notice ? (
        <div class="alert" role="status">
          <p>{notice}</p>
        </div>
      ) : null}
      <form method="get" action="/admin/users" class="inline-form" role="search">
        <div class="field">
          <label for="users-email">{t('admin.users.search')}</label>
          <p class="field-hint" id="users-email-hint">
            {t('admin.users.searchHint')}
          </p>
          <input id="users-email" name="email" type="email" value={email} maxLength={254} autocomplete="off" aria-describedby="users-email-hint" />
        </div>
        <button type="submit" class="button button-small">
          {t('admin.users.searchSubmit')}
        </button>
      </form>
      {users.length === 0 ? (
        <p>{t('admin.users.none')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="users-caption">
          <table>
            <caption id="users-caption">{t('admin.users.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('admin.users.verified')}</th>
                <th scope="col">{t('admin.users.suspended')}</th>
                <th scope="col">{t('admin.users.created')}</th>
                <th scope="col">{t('admin.users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr>
                  <th scope="row">{user.displayName}</th>
                  <td>{t(`admin.users.role.${user.role}`)}</td>
                  <td>{user.verified ? t('admin.users.yes') : t('admin.users.no')}</td>
                  <td>{user.suspendedAt ? formatDate(user.suspendedAt, 'datetime') : t('admin.users.no')}</td>
                  <td>{formatDate(user.createdAt, 'date')}</td>
                  <td>
                    {user.id === ctx.viewer?.id ? (
                      <span class="muted">{t('admin.users.you')}</span>
                    ) : user.role === 'admin' && !user.suspendedAt ? null : (
                      <div class="stack">
                        <form method="post" action={`/admin/users/${user.id}/${user.suspendedAt ? 'unsuspend' : 'suspend'}`}>
                          <CsrfField ctx={ctx} />
                          <button type="submit" class="button button-small">
                            {user.suspendedAt ? t('admin.users.unsuspend') : t('admin.users.suspend')}
                            <span class="visually-hidden"> {user.displayName}</span>
                          </button>
                        </form>
                        {user.role === 'admin' ? null : (
                          <form method="post" action={`/admin/users/${user.id}/${user.role === 'moderator' ? 'remove-moderator' : 'make-moderator'}`}>
                            <CsrfField ctx={ctx} />
                            <button type="submit" class="button button-small">
                              {user.role === 'moderator' ? t('admin.users.removeModerator') : t('admin.users.makeModerator')}
                              <span class="visually-hidden"> {user.displayName}</span>
                            </button>
                          </form>
                        )}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {older ? (
        <p>
          <a href={older}>{t('admin.older')}</a>
        </p>
      ) : null}
    </section>
  );
}
