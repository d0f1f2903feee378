using System.Reflection;
using static TorchSharp.torch;

namespace VimDense.Analysis;

/// <summary>
/// Parameters and FLOPs (multiply-adds) of a model per module, counted from one real forward pass: a forward hook on
/// every module that has a <see cref="FlopRule"/> records what each call costs at the shapes it actually sees, so the
/// count follows the model's real control flow (window attention, cascade stages, the proposals a detector keeps).
/// Hooks fire for modules invoked with <c>call</c> (VimDense's modules call their children that way).
/// </summary>
public static class ModelComplexity
{
    private static readonly MethodInfo AttachTyped = typeof(ModelComplexity).GetMethod(nameof(Attach), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// Runs <paramref name="forward"/> (which calls <paramref name="model"/>, in eval mode, under no_grad) once with the
    /// hooks of <paramref name="rules"/> in place and returns the per-module counts; <paramref name="input"/> describes the input for the report.
    /// </summary>
    public static ComplexityReport Measure(nn.Module model, Action forward, FlopRules rules, string input)
    {
        var modules = new List<(string Name, nn.Module Module)> { ("", model) };
        modules.AddRange(model.named_modules());
        var flops = new Dictionary<string, double>(StringComparer.Ordinal);
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        var ruled = new HashSet<string>(StringComparer.Ordinal);
        var removers = new List<Action>();
        try
        {
            foreach (var (name, module) in modules)
            {
                var rule = rules.For(module.GetType());
                if (rule is null) continue;
                var remove = Hook(module, (i, o) =>
                {
                    calls[name] = calls.GetValueOrDefault(name) + 1;
                    foreach (var (path, count) in rule(module, i, o))
                    {
                        var key = Join(name, path);
                        flops[key] = flops.GetValueOrDefault(key) + count;
                    }
                });
                if (remove is null) continue;   // a module type without a typed call cannot be hooked: its children count
                ruled.Add(name);
                removers.Add(remove);
            }
            using (no_grad()) forward();
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return Build(model, modules, flops, calls, ruled, rules.Convention, input);
    }

    private static ComplexityReport Build(nn.Module model, List<(string Name, nn.Module Module)> modules, Dictionary<string, double> flops,
        Dictionary<string, int> calls, HashSet<string> ruled, string convention, string input)
    {
        var names = modules.Select(m => m.Name).ToList();
        var moduleNames = names.ToHashSet(StringComparer.Ordinal);
        var parameters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.named_parameters())
            foreach (var owner in Owners(name, moduleNames)) parameters[owner] = parameters.GetValueOrDefault(owner) + parameter.numel();
        var subtreeFlops = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, count) in flops)
            foreach (var owner in Owners(name, moduleNames, includeSelf: true)) subtreeFlops[owner] = subtreeFlops.GetValueOrDefault(owner) + count;
        var rows = TreeOrder(modules).Select(m => new ComplexityRow(m.Name, TypeName(m.Module.GetType()), m.Name.Length == 0 ? 0 : m.Name.Count(c => c == '.') + 1,
            parameters.GetValueOrDefault(m.Name), subtreeFlops.GetValueOrDefault(m.Name), calls.GetValueOrDefault(m.Name))).ToList();
        return new ComplexityReport(rows, input, convention, Idle(names, ruled, flops));
    }

    /// <summary>Depth-first, each module before its children, siblings in registration order.</summary>
    private static List<(string Name, nn.Module Module)> TreeOrder(List<(string Name, nn.Module Module)> modules)
    {
        var children = modules.Skip(1).GroupBy(m => m.Name.LastIndexOf('.') is var dot and > 0 ? m.Name[..dot] : "")
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var ordered = new List<(string Name, nn.Module Module)>(modules.Count);
        void Visit((string Name, nn.Module Module) module)
        {
            ordered.Add(module);
            foreach (var child in children.GetValueOrDefault(module.Name) ?? []) Visit(child);
        }
        Visit(modules[0]);
        return ordered;
    }

    /// <summary>A type's name without generic arity ("ModuleList" for ModuleList`1).</summary>
    private static string TypeName(Type type) => type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;

    /// <summary>
    /// The topmost modules whose counted layers all stayed idle in the forward (an auxiliary head at inference, a mask
    /// head with no detections): their parameters are in the totals, their work is not.
    /// </summary>
    private static List<string> Idle(List<string> names, HashSet<string> ruled, Dictionary<string, double> flops)
    {
        var idleRuled = ruled.Where(n => !flops.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
        bool AllIdle(string name)
        {
            var under = ruled.Where(r => Within(r, name)).ToList();
            return under.Count > 0 && under.All(idleRuled.Contains) && !flops.Keys.Any(k => Within(k, name));
        }
        return names.Where(n => n.Length > 0 && AllIdle(n) && !Ancestors(n).Any(a => a.Length > 0 && AllIdle(a))).ToList();
    }

    /// <summary>The modules <paramref name="name"/> (a parameter or module path) belongs to: every module prefix, and itself when asked.</summary>
    private static IEnumerable<string> Owners(string name, HashSet<string> modules, bool includeSelf = false)
    {
        foreach (var ancestor in Ancestors(name))
            if (ancestor.Length == 0 || modules.Contains(ancestor)) yield return ancestor;
        if (includeSelf && name.Length > 0) yield return name;
    }

    /// <summary>"", "a", "a.b" for "a.b.c".</summary>
    private static IEnumerable<string> Ancestors(string name)
    {
        yield return "";
        for (var i = name.IndexOf('.'); i > 0; i = name.IndexOf('.', i + 1)) yield return name[..i];
    }

    private static bool Within(string path, string module) =>
        path == module || path.StartsWith(module + ".", StringComparison.Ordinal);

    private static string Join(string name, string path) => name.Length == 0 ? path : path.Length == 0 ? name : name + "." + path;

    /// <summary>A forward hook calling <paramref name="onCall"/>(input, output) on a typed module; its remover, or null for an untyped module.</summary>
    private static Action? Hook(nn.Module module, Action<object, object> onCall)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(nn.Module<,>))
                return (Action)AttachTyped.MakeGenericMethod(type.GetGenericArguments()).Invoke(null, [module, onCall])!;
        return null;
    }

    private static Action Attach<T, TResult>(nn.Module<T, TResult> module, Action<object, object> onCall)
    {
        var handle = module.register_forward_hook((_, input, output) =>
        {
            onCall(input!, output!);
            return output;
        });
        return handle.remove;
    }
}
