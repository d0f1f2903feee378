namespace VimDense.Checkpoints.Pickle;

/// <summary>
/// The nesting limit of an unpickled graph. Through the memo a few bytes per level nest containers arbitrarily
/// deep, which any recursive consumer (printing, serialising) would overflow its stack on; Python's own pickler
/// never writes deeper than its recursion limit. Shared containers are measured once, so memo reuse that doubles
/// a tuple at each level costs linear time, and a container inside itself (a cycle) adds no depth.
/// </summary>
internal static class PickleDepth
{
    public static void Check(object? graph, int maxDepth)
    {
        if (Children(graph) is null) return;
        var heights = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var path = new Stack<Frame>();
        Enter(graph!);
        while (path.Count > 0)
        {
            var frame = path.Peek();
            if (frame.Children.MoveNext())
            {
                var child = frame.Children.Current;
                if (child is null || Children(child) is null || onPath.Contains(child)) continue;
                if (heights.TryGetValue(child, out var known)) Reached(frame, known);
                else Enter(child);
                continue;
            }
            path.Pop();
            onPath.Remove(frame.Node);
            var height = frame.Deepest + 1;
            heights[frame.Node] = height;
            if (path.Count > 0) Reached(path.Peek(), height);
        }

        void Enter(object node)
        {
            if (path.Count >= maxDepth) throw TooDeep();
            onPath.Add(node);
            path.Push(new Frame(node, Children(node)!.GetEnumerator()));
        }

        void Reached(Frame parent, int childHeight)
        {
            if (path.Count + childHeight > maxDepth) throw TooDeep();
            parent.Deepest = Math.Max(parent.Deepest, childHeight);
        }

        UserInputException TooDeep() => new($"containers nested deeper than {maxDepth} levels (the limit)");
    }

    private static IEnumerable<object?>? Children(object? node) => node switch
    {
        Dictionary<string, object?> dict => dict.Values,
        List<object?> list => list,
        object?[] tuple => tuple,
        _ => null,
    };

    private sealed class Frame(object node, IEnumerator<object?> children)
    {
        public object Node { get; } = node;
        public IEnumerator<object?> Children { get; } = children;
        public int Deepest { get; set; }
    }
}
