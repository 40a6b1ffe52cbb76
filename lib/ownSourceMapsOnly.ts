import Module from 'node:module';

/**
 * Imported first by each process's entry (gateway/main.ts, subgraphs' main.ts): from here on Node
 * keeps source maps only for this project's own files, not for those under node_modules.
 *
 * tsx turns Node's source maps on, for every module: each dependency that ships a `.map` then
 * has it read, parsed and held (its `sourcesContent` too) for the life of the process, about 13 MB
 * in the gateway, and V8 lets a heap grow in proportion to what it holds: ~40 MB more peak memory
 * under load. Stack traces of our TypeScript stay mapped to its lines (tsx's output is minified,
 * so they would be unreadable without); those of dependencies point at their published
 * JavaScript, which is what they ship.
 */
type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
const modulePrototype = (Module as unknown as { prototype: { _compile: Compile & { ownSourceMapsOnly?: true } } }).prototype;
const compile = modulePrototype._compile;

if (!compile.ownSourceMapsOnly) {
  const withoutDependencyMaps: Compile & { ownSourceMapsOnly?: true } = function (this: unknown, content, filename, ...rest) {
    if (!process.sourceMapsEnabled || !filename.includes('/node_modules/')) return compile.call(this, content, filename, ...rest);
    process.setSourceMapsEnabled(false);
    try {
      return compile.call(this, content, filename, ...rest);
    } finally {
      process.setSourceMapsEnabled(true);
    }
  };
  withoutDependencyMaps.ownSourceMapsOnly = true;
  modulePrototype._compile = withoutDependencyMaps;
}
