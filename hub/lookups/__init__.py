"""Hit/no-hit: does any signal the caller may see name this identifier?"""
