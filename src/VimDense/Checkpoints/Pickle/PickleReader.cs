using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace VimDense.Checkpoints.Pickle;

/// <summary>
/// A restricted unpickler: it interprets the pickle opcodes (protocols 2 to 4) that torch.save emits
/// into plain values — dictionaries (<see cref="Dictionary{TKey,TValue}"/> in insertion order), lists,
/// tuples (object?[]), long (BigInteger beyond 64 bits), double, bool, string, byte[], null — and inert
/// records (<see cref="TensorRef"/>, <see cref="StorageRef"/>, <see cref="NumpyArray"/>). Globals go through <see cref="PickleGlobals"/>'s whitelist; nothing
/// from the file is ever executed. Every read is bounds-checked, so corrupt input fails, never hangs, and the
/// values pushed, the memo and the nesting of the result are capped (<see cref="MaxObjects"/>, <see cref="MaxMemo"/>,
/// <see cref="MaxDepth"/>), so a small hostile pickle cannot claim unbounded memory.
/// </summary>
internal sealed class PickleReader(byte[] data, string source, Func<object?, object?> persistentLoad, int start = 0)
{
    /// <summary>Values pushed onto the stack. A large detection checkpoint with optimizer state pushes a few million.</summary>
    public const long MaxObjects = 10_000_000;
    /// <summary>Memo entries; torch.save memoizes at most once per value.</summary>
    public const int MaxMemo = 10_000_000;
    /// <summary>Nesting of containers: Python's own pickler stops at its recursion limit (1000).</summary>
    public const int MaxDepth = 1000;
    // Text lines hold numbers and module or class names.
    private const int MaxLineBytes = 1024;

    private long _objects;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    // Objects (argparse.Namespace) whose BUILD state is their content rather than attributes.
    private readonly HashSet<object> _stateIsContent = new(ReferenceEqualityComparer.Instance);
    private int _pos = start;

    /// <summary>The position just after STOP: where a following pickle or raw data starts.</summary>
    public int End => _pos;

    public object? Load()
    {
        try
        {
            var graph = Run();
            PickleDepth.Check(graph, MaxDepth);
            return graph;
        }
        catch (UserInputException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new UserInputException($"{source}: refusing to load: {e.Message} (at byte {_pos} of the pickle)", e);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidCastException or OverflowException
                                      or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: corrupt pickle at byte {_pos}: {e.Message}", e);
        }
    }

    private object? Run()
    {
        while (true)
        {
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5) throw new InvalidDataException($"pickle protocol {protocol} is not supported");
                    break;
                case 0x95: Skip(8); break; // FRAME: a length prefix only
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw new InvalidDataException("STOP with an unbalanced stack");
                    return _stack[0];

                // Integers, floats, booleans, None.
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4))); break; // LONG4
                case (byte)'I': Push(ParseIntLine(ReadLine())); break; // INT
                case (byte)'L': Push(long.Parse(ReadLine().TrimEnd('L'), CultureInfo.InvariantCulture)); break; // LONG
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'F': Push(double.Parse(ReadLine(), CultureInfo.InvariantCulture)); break; // FLOAT
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'N': Push(null); break; // NONE

                // Text and bytes.
                case (byte)'X': Push(Encoding.UTF8.GetString(Take(ReadLength(4)))); break; // BINUNICODE
                case 0x8c: Push(Encoding.UTF8.GetString(Take(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Encoding.UTF8.GetString(Take(ReadLength(8)))); break; // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(Take(ReadLength(4)))); break; // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(Take(ReadLength(4)).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(Take(ReadLength(8)).ToArray()); break; // BINBYTES8

                // Containers.
                case (byte)'}': Push(new Dictionary<string, object?>()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 0x8f: Push(new List<object?>()); break; // EMPTY_SET (as a list)
                case (byte)'(': _marks.Push(_stack.Count); break; // MARK
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: Push(PopN(1)); break; // TUPLE1
                case 0x86: Push(PopN(2)); break; // TUPLE2
                case 0x87: Push(PopN(3)); break; // TUPLE3
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'d': Push(ToDict(PopMark())); break; // DICT
                case 0x91: Push(PopMark()); break; // FROZENSET (as a list)
                case (byte)'a': // APPEND (pop the item before looking at the list beneath it)
                    var item = Pop();
                    Top<List<object?>>("APPEND").Add(item);
                    break;
                case (byte)'e': // APPENDS
                case 0x90: // ADDITEMS (sets)
                    var items = PopMark();
                    Top<List<object?>>("APPENDS").AddRange(items);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    Top<Dictionary<string, object?>>("SETITEM")[PickleKeys.Format(key)] = value;
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopMark();
                    if (pairs.Count % 2 != 0) throw new InvalidDataException("SETITEMS with an odd number of items");
                    var dict = Top<Dictionary<string, object?>>("SETITEMS");
                    for (var i = 0; i < pairs.Count; i += 2) dict[PickleKeys.Format(pairs[i])] = pairs[i + 1];
                    break;

                // Stack and memo.
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'q': Memoize(ReadByte()); break; // BINPUT
                case (byte)'r': Memoize(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break; // LONG_BINPUT
                case (byte)'p': Memoize(long.Parse(ReadLine(), CultureInfo.InvariantCulture)); break; // PUT
                case 0x94: Memoize(_memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte())); break; // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                case (byte)'g': Push(Memo(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break; // GET

                // Globals, calls and object state: the only ways a pickle can ask for behaviour.
                case (byte)'c': // GLOBAL
                    var module = ReadLine();
                    Push(Global(module, ReadLine()));
                    break;
                case 0x93: // STACK_GLOBAL
                    var globalName = Pop() as string ?? throw new InvalidDataException("STACK_GLOBAL needs string names");
                    var globalModule = Pop() as string ?? throw new InvalidDataException("STACK_GLOBAL needs string names");
                    Push(Global(globalModule, globalName));
                    break;
                case (byte)'R': // REDUCE
                case 0x81: // NEWOBJ
                    var args = Pop() as object?[] ?? throw new InvalidDataException("REDUCE/NEWOBJ arguments must be a tuple");
                    Push(Call(Pop(), args));
                    break;
                case (byte)'b': Build(Pop()); break; // BUILD
                case (byte)'Q': Push(persistentLoad(Pop())); break; // BINPERSID
                default:
                    throw new InvalidDataException($"unsupported pickle opcode 0x{opcode:x2} ('{(char)opcode}')");
            }
        }
    }

    private object Global(string module, string name) =>
        PickleGlobals.Resolve(module, name) ?? throw new UserInputException(
            $"{source}: refusing to load: the pickle references the global '{PickleKeys.Clip(module + "." + name)}', which is not on the " +
            $"allowed list ({PickleGlobals.AllowedSummary}); nothing was executed");

    private object? Call(object? callable, object?[] args)
    {
        if (callable is not PickleCallable function)
            throw new InvalidDataException($"cannot call a value of type {PickleKeys.Describe(callable)}");
        var result = function.Call(args);
        if (function.StateIsContent && result is not null) _stateIsContent.Add(result);
        return result;
    }

    private void Build(object? state)
    {
        var target = Peek();
        if (target is Dictionary<string, object?> dict && _stateIsContent.Contains(dict))
        {
            // argparse.Namespace: state is its __dict__ (possibly (dict, slots)).
            var fields = state is object?[] { Length: 2 } withSlots ? withSlots[0] : state;
            if (fields is Dictionary<string, object?> content)
                foreach (var (k, v) in content) dict[k] = v;
            return;
        }
        if (target is IPickleState stateful)
        {
            stateful.SetState(state);
            return;
        }
        // State dicts carry attributes such as _metadata; tensors and parameters may carry hooks state.
        if (target is Dictionary<string, object?> or TensorRef) return;
        throw new InvalidDataException($"BUILD on a value of type {PickleKeys.Describe(target)}");
    }

    private static Dictionary<string, object?> ToDict(List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("DICT with an odd number of items");
        var dict = new Dictionary<string, object?>();
        for (var i = 0; i < items.Count; i += 2) dict[PickleKeys.Format(items[i])] = items[i + 1];
        return dict;
    }

    private static long ParseIntLine(string line) => line switch
    {
        "00" => 0, // protocol 0 spells False/True as INT 00/01; as numbers they are 0 and 1
        "01" => 1,
        _ => long.Parse(line, CultureInfo.InvariantCulture),
    };

    /// <summary>Python ints are unbounded: long when they fit (always, in checkpoints), else BigInteger.</summary>
    private object ReadLong(int length)
    {
        if (length > 1024) throw new InvalidDataException($"a {length}-byte integer is not plausible");
        var value = new BigInteger(Take(length), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private object? Memo(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw new InvalidDataException($"memo entry {index} is not defined");

    private void Push(object? value)
    {
        if (++_objects > MaxObjects) throw new UserInputException($"the pickle pushes more than {MaxObjects} values (the limit)");
        _stack.Add(value);
    }

    private void Memoize(long index)
    {
        var value = Peek();
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index))
            throw new UserInputException($"the pickle memoizes more than {MaxMemo} values (the limit)");
        _memo[index] = value;
    }

    private object? Pop()
    {
        if (_stack.Count <= Fence)
            throw new InvalidDataException("pop from an empty stack");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    // Like CPython's C unpickler, a MARK is a fence: opcodes may not reach below the innermost one.
    private int Fence => _marks.Count > 0 ? _marks.Peek() : 0;

    private object? Peek() => _stack.Count > Fence ? _stack[^1] : throw new InvalidDataException("read from an empty stack");

    private T Top<T>(string opcode) where T : class =>
        Peek() as T ?? throw new InvalidDataException($"{opcode} on a value of type {PickleKeys.Describe(Peek())}");

    private object?[] PopN(int count)
    {
        if (_stack.Count - count < Fence) throw new InvalidDataException("tuple from an empty stack");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new InvalidDataException("missing MARK");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private byte ReadByte() =>
        _pos < data.Length ? data[_pos++] : throw new InvalidDataException("the pickle ends before STOP (truncated?)");

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > data.Length - _pos)
            throw new InvalidDataException($"a {count}-byte field runs past the end of the pickle (truncated?)");
        var span = data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private void Skip(int count) => Take(count);

    private int ReadLength(int width)
    {
        var length = width switch
        {
            4 => BinaryPrimitives.ReadUInt32LittleEndian(Take(4)),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(Take(8)),
        };
        if (length > (ulong)(data.Length - _pos))
            throw new InvalidDataException($"a {length}-byte field runs past the end of the pickle (truncated?)");
        return (int)length;
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', _pos, Math.Min(MaxLineBytes + 1, data.Length - _pos));
        if (end < 0)
            throw new InvalidDataException(data.Length - _pos > MaxLineBytes
                ? $"a text field longer than {MaxLineBytes} bytes" : "a text field has no end of line (truncated?)");
        var line = Encoding.UTF8.GetString(data, _pos, end - _pos);
        _pos = end + 1;
        return line;
    }
}
