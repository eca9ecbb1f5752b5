document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.querySelector("main"), {
    delimiters: [{left: "$$", right: "$$", display: true}, {left: "\\[", right: "\\]", display: true},
                 {left: "$", right: "$", display: false}, {left: "\\(", right: "\\)", display: false}],
    throwOnError: false});
  document.body.dataset.mathTypeset = document.querySelectorAll("main .katex").length;
});
