import type { Prisma } from '../../prisma/projects/generated/client';
import type { Forgotten, ProjectDeleteRules } from './ProjectStore';

/** The delete rules (ProjectStore.ts) inside one transaction of the projects database. */
export class PrismaProjectDeleteRules implements ProjectDeleteRules {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  async forgetUser(userId: string): Promise<Forgotten> {
    const deleted = await this.tx.project.deleteMany({ where: { ownerId: userId, teamId: null } });
    const detached = await this.tx.project.updateMany({ where: { ownerId: userId }, data: { ownerId: null } });
    const versions = await this.tx.projectVersion.updateMany({ where: { authorId: userId }, data: { authorId: null } });
    return { deleted: deleted.count + (await this.deleteOrphaned()), detached: detached.count, versionsReassigned: versions.count };
  }

  async forgetTeam(teamId: string): Promise<Forgotten> {
    const deleted = await this.tx.project.deleteMany({ where: { teamId, ownerId: null } });
    const detached = await this.tx.project.updateMany({ where: { teamId }, data: { teamId: null } });
    return { deleted: deleted.count + (await this.deleteOrphaned()), detached: detached.count, versionsReassigned: 0 };
  }

  /**
   * A project with neither owner nor team has nobody left. user.deleted and team.deleted for the
   * same project can be handled at once (each in its own transaction, neither seeing the other's
   * change): whichever commits last removes what they left together.
   */
  private async deleteOrphaned(): Promise<number> {
    return (await this.tx.project.deleteMany({ where: { ownerId: null, teamId: null } })).count;
  }
}
