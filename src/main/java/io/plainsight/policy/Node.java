package io.plainsight.policy;

/** A node of a parsed filter expression: evaluates itself against a {@link FieldSource} and prints itself. */
sealed interface Node permits Node.Or, Node.And, Node.Not, ExistsTest, ValueComparison, FieldComparison {
    int OR = 1;
    int AND = 2;
    int NOT = 3;
    int TEST = 4;

    boolean eval(FieldSource source);

    /** Binding strength: {@link #OR} < {@link #AND} < {@link #NOT} < {@link #TEST}. */
    int precedence();

    /** Canonical text: symbol operators, minimal parentheses. */
    void print(StringBuilder out);

    /** Prints {@code child} in parentheses when it binds less strongly than {@code min}. */
    static void print(StringBuilder out, Node child, int min) {
        if (child.precedence() < min) {
            out.append('(');
            child.print(out);
            out.append(')');
        } else {
            child.print(out);
        }
    }

    /** {@code a || b || ...}: the children of nested ORs are flattened into one. */
    record Or(Node[] children) implements Node {
        @Override
        public boolean eval(FieldSource source) {
            for (Node c : children) {
                if (c.eval(source)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public int precedence() {
            return OR;
        }

        @Override
        public void print(StringBuilder out) {
            for (int i = 0; i < children.length; i++) {
                if (i > 0) {
                    out.append(" || ");
                }
                Node.print(out, children[i], OR);
            }
        }
    }

    /** {@code a && b && ...} */
    record And(Node[] children) implements Node {
        @Override
        public boolean eval(FieldSource source) {
            for (Node c : children) {
                if (!c.eval(source)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int precedence() {
            return AND;
        }

        @Override
        public void print(StringBuilder out) {
            for (int i = 0; i < children.length; i++) {
                if (i > 0) {
                    out.append(" && ");
                }
                Node.print(out, children[i], AND);
            }
        }
    }

    /** {@code !a} */
    record Not(Node child) implements Node {
        @Override
        public boolean eval(FieldSource source) {
            return !child.eval(source);
        }

        @Override
        public int precedence() {
            return NOT;
        }

        @Override
        public void print(StringBuilder out) {
            out.append('!');
            Node.print(out, child, NOT);
        }
    }
}
