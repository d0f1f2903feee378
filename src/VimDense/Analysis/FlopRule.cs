using static TorchSharp.torch;

namespace VimDense.Analysis;

/// <summary>
/// The multiply-adds of one call of a module, from the module and its call's input and output (as the module's
/// forward takes and returns them): (path, count) pairs, the path "" for the module's own work and a child's name
/// ("in_proj") for work the module does with a child's weights without calling the child (so the child's row shows it).
/// Work done by children the module calls is counted by the children's own rules, never here.
/// </summary>
public delegate IEnumerable<(string Path, double MultiplyAdds)> FlopRule(nn.Module module, object input, object output);
