/**
 * The stylesheet of every page, inlined in a `<style>` block: the CSP allows inline styles and
 * nothing else, so the pages load no external asset. Light and dark schemes follow the system.
 */
export const STYLES = `
:root{color-scheme:light dark;--bg:#f3f4f7;--card:#fff;--text:#1b2030;--muted:#5d6677;
--border:#dce0e8;--accent:#3b5bdb;--accent-hover:#324fc4;--on-accent:#fff;--danger:#b42318;
--danger-bg:#fef3f2;--ok:#2b8a3e;--code-bg:#eef0f4}
@media (prefers-color-scheme:dark){:root{--bg:#12141a;--card:#1b1e26;--text:#e7e9ef;
--muted:#9aa3b4;--border:#2d323d;--accent:#8199ff;--accent-hover:#97abff;--on-accent:#0c0f16;
--danger:#ff9c8f;--danger-bg:#2b1614;--ok:#69db7c;--code-bg:#242833}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);
color:var(--text);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",
Arial,sans-serif}
a{color:var(--accent);text-underline-offset:2px}
a:hover{color:var(--accent-hover)}
.site{display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap;
padding:.8rem 1.5rem;background:var(--card);border-bottom:1px solid var(--border)}
.brand{display:flex;align-items:center;gap:.6rem;font-weight:650;color:var(--text);
text-decoration:none;letter-spacing:-.01em}
.brand:hover{color:var(--text)}
.mark{display:grid;place-items:center;width:1.9rem;height:1.9rem;border-radius:.55rem;
background:var(--accent);color:var(--on-accent);font-size:.95rem;font-weight:700}
.issuer{font:.8rem/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);
overflow-wrap:anywhere}
main{flex:1;width:100%;max-width:27rem;margin:3.5rem auto 2rem;padding:0 1rem}
main.wide{max-width:46rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:14px;padding:2rem;
box-shadow:0 1px 2px rgb(16 24 40 / .05),0 12px 32px rgb(16 24 40 / .06)}
h1{font-size:1.45rem;line-height:1.25;margin:0 0 .4rem;letter-spacing:-.015em}
h2{font-size:1.05rem;margin:1.75rem 0 .6rem}
.lead{color:var(--muted);margin:0 0 1.5rem}
label{display:block;font-weight:600;font-size:.92rem;margin:1.1rem 0 .4rem}
input[type=text],input[type=password]{display:block;width:100%;padding:.7rem .8rem;font:inherit;
color:var(--text);background:var(--card);border:1px solid var(--border);border-radius:9px}
input[type=text]:hover,input[type=password]:hover{border-color:var(--muted)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);
outline-offset:2px}
input:focus-visible{border-color:var(--accent)}
button{font:inherit;font-weight:600;padding:.72rem 1.2rem;border-radius:9px;cursor:pointer;
border:1px solid transparent}
.primary{background:var(--accent);color:var(--on-accent)}
.primary:hover{background:var(--accent-hover)}
.secondary{background:transparent;color:var(--text);border-color:var(--border)}
.secondary:hover{border-color:var(--muted)}
.block{display:block;width:100%;margin-top:1.6rem}
.actions{display:flex;gap:.75rem;margin-top:1.6rem}
.actions button{flex:1}
.alert{display:flex;gap:.6rem;align-items:flex-start;background:var(--danger-bg);
color:var(--danger);border:1px solid currentColor;border-radius:9px;padding:.7rem .9rem;
margin:0 0 1.2rem;font-size:.93rem}
.alert .icon{flex:none;display:grid;place-items:center;width:1.25rem;height:1.25rem;
margin-top:.1rem;border-radius:50%;background:var(--danger);color:var(--danger-bg);
font-size:.8rem;font-weight:700}
.client{display:flex;align-items:center;gap:.9rem;margin:0 0 1.4rem}
.avatar{flex:none;display:grid;place-items:center;width:3.1rem;height:3.1rem;border-radius:.8rem;
background:var(--code-bg);color:var(--accent);font-weight:700;font-size:1.3rem;
border:1px solid var(--border)}
.client h1{margin:0}
.client p{margin:.1rem 0 0;color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
.list{list-style:none;margin:0;padding:0;border:1px solid var(--border);border-radius:10px}
.list li{display:flex;gap:.75rem;padding:.7rem .9rem;border-top:1px solid var(--border)}
.list li:first-child{border-top:0}
.tick{flex:none;color:var(--ok);font-weight:700}
.list strong{display:block;font-size:.95rem}
.list span{display:block;color:var(--muted);font-size:.88rem}
.account{display:flex;align-items:center;gap:.6rem;padding:.65rem .9rem;margin:0 0 1.2rem;
border-radius:10px;background:var(--code-bg);font-size:.92rem}
.who{flex:none;display:grid;place-items:center;width:1.6rem;height:1.6rem;border-radius:50%;
background:var(--accent);color:var(--on-accent);font-size:.8rem;font-weight:700}
.hint{color:var(--muted);font-size:.86rem;margin:1.1rem 0 0}
.links{display:flex;gap:1rem;flex-wrap:wrap;font-size:.86rem;margin:1rem 0 0}
code,pre{font:.86em/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
background:var(--code-bg);border-radius:6px}
code{padding:.1em .35em}
pre{padding:.9rem 1rem;overflow-x:auto;white-space:pre}
table{width:100%;border-collapse:collapse;font-size:.92rem}
th,td{text-align:left;padding:.5rem .6rem;border-top:1px solid var(--border);vertical-align:top}
th{font-weight:600;white-space:nowrap}
td{overflow-wrap:anywhere}
.features{columns:2 14rem;padding-left:1.1rem;margin:.4rem 0}
footer{padding:1.5rem;text-align:center;color:var(--muted);font-size:.8rem}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;
clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (max-width:30rem){main{margin-top:1.5rem}.card{padding:1.4rem}}
`
