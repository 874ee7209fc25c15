"""outputs: render what the engine gives them (site, Markdown, Word, Excel, terminal, robot), each escaping for its own syntax."""
