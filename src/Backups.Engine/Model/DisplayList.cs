using System.Collections;

namespace SiteBackup.Engine.Model;

/// <summary>
/// A read-only list that reads as its items: its text is theirs, comma-separated. PowerShell shows a property's
/// value through its text in <c>Export-Csv</c>, <c>ConvertTo-Csv</c> and string expansion, where a plain list would
/// give its type name.
/// </summary>
public sealed class DisplayList<T> : IReadOnlyList<T>
{
    private readonly T[] _items;

    public DisplayList(IEnumerable<T>? items) => _items = items is null ? [] : [.. items];

    public T this[int index] => _items[index];
    public int Count => _items.Length;
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => string.Join(", ", _items);
}
