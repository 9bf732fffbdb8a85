/* eslint-disable no-bitwise */
import * as path from 'path';
import * as ts from 'typescript';

// What jsii and its tools see of the exported classes. jsii copies the members of a base class it
// does not export onto the exported class, but jsii-rosetta resolves a call by the class that
// declares the method, and warns ("Could not resolve symbol id ... names will be guessed") when that
// class is not in the assembly; a protected member becomes part of every language's API
// (`_arn_for_policies` in Python, overridable there). So: every public member of an exported class is
// declared on an exported class (or comes from a dependency), is documented there, and none of our
// members is protected.
const SRC = path.join(__dirname, '..', 'src');
const program = ts.createProgram([path.join(SRC, 'index.ts')], { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true });
const checker = program.getTypeChecker();
const index = checker.getSymbolAtLocation(program.getSourceFile(path.join(SRC, 'index.ts'))!)!;

function resolve(symbol: ts.Symbol): ts.Symbol {
  return (symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol;
}

const exported = checker.getExportsOfModule(index).map(resolve);
const exportedClasses = exported.filter(s => (s.flags & ts.SymbolFlags.Class) !== 0);
const exportedDeclarations = new Set(exported.flatMap(s => s.declarations ?? []));

function ours(node: ts.Node): boolean {
  return !node.getSourceFile().fileName.includes('node_modules');
}

interface Member {
  readonly cls: string;
  readonly member: string;
  readonly declaredIn: string;
  readonly exportedDeclarer: boolean;
  readonly documented: boolean;
  readonly protected: boolean;
  readonly private: boolean;
}

function membersOf(cls: ts.Symbol): Member[] {
  const declaration = cls.declarations![0] as ts.ClassDeclaration;
  const type = checker.getDeclaredTypeOfSymbol(cls);
  const statics = checker.getTypeOfSymbolAtLocation(cls, declaration);
  const all = [...checker.getPropertiesOfType(type), ...checker.getPropertiesOfType(statics).filter(s => s.name !== 'prototype')];
  return all
    .filter(m => !m.name.startsWith('_'))
    .flatMap(m => (m.declarations ?? []).filter(ours).slice(0, 1).map(d => {
      // A constructor parameter property (`constructor(public readonly version: string)`) belongs to
      // the constructor's class.
      const owner = (ts.isParameter(d) ? d.parent.parent : d.parent) as ts.ClassLikeDeclaration;
      const modifiers = ts.canHaveModifiers(d) ? ts.getModifiers(d) ?? [] : [];
      return {
        cls: cls.name,
        member: m.name,
        declaredIn: owner.name?.text ?? '?',
        exportedDeclarer: exportedDeclarations.has(owner),
        documented: ts.getJSDocCommentsAndTags(d).length > 0,
        protected: modifiers.some(x => x.kind === ts.SyntaxKind.ProtectedKeyword),
        private: modifiers.some(x => x.kind === ts.SyntaxKind.PrivateKeyword),
      };
    }))
    .filter(m => !m.private);
}

const members = exportedClasses.flatMap(membersOf);

test('the check sees the environment\'s grants and metrics', () => {
  const names = members.filter(m => m.cls === 'PrivateMwaaEnvironment').map(m => m.member);
  expect(names).toEqual(expect.arrayContaining(['grantWebLogin', 'grant', 'metricCpuUtilization', 'onStatusChange', 'fromEnvironmentArn']));
});

test('every public member of an exported class is declared on an exported class', () => {
  expect(members.filter(m => !m.exportedDeclarer).map(m => `${m.cls}.${m.member} (declared on ${m.declaredIn})`)).toEqual([]);
});

test('every public member of an exported class is documented where it is declared', () => {
  expect(members.filter(m => !m.documented).map(m => `${m.cls}.${m.member}`)).toEqual([]);
});

test('no exported class has a protected member of ours', () => {
  expect(members.filter(m => m.protected).map(m => `${m.cls}.${m.member}`)).toEqual([]);
});
